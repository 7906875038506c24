// Medusa's integration runner boots the app inside the test process; MikroORM keeps
// entity metadata globally, so start every test file from a clean slate.
const { MetadataStorage } = require("@medusajs/framework/mikro-orm/core")

MetadataStorage.clear()
