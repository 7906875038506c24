import { Migration } from "@medusajs/framework/mikro-orm/migrations";

export class Migration20261201115128 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table if exists "payment_gateway_state" drop constraint if exists "payment_gateway_state_session_id_unique";`);
    this.addSql(`alter table if exists "payment_gateway_event" drop constraint if exists "payment_gateway_event_provider_id_event_id_unique";`);
    this.addSql(`alter table if exists "payment_dispute" drop constraint if exists "payment_dispute_provider_id_dispute_id_unique";`);
    this.addSql(`create table if not exists "payment_dispute" ("id" text not null, "provider_id" text not null, "dispute_id" text not null, "session_id" text null, "payment_id" text null, "order_id" text null, "status" text not null, "reason" text null, "amount" text not null, "currency_code" text not null, "evidence_due_by" timestamptz null, "opened_at" timestamptz null, "closed_at" timestamptz null, "last_event_id" text null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "deleted_at" timestamptz null, constraint "payment_dispute_pkey" primary key ("id"));`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_payment_dispute_deleted_at" ON "payment_dispute" ("deleted_at") WHERE deleted_at IS NULL;`);
    this.addSql(`CREATE UNIQUE INDEX IF NOT EXISTS "IDX_payment_dispute_provider_id_dispute_id_unique" ON "payment_dispute" ("provider_id", "dispute_id") WHERE deleted_at IS NULL;`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_payment_dispute_payment_id" ON "payment_dispute" ("payment_id") WHERE deleted_at IS NULL;`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_payment_dispute_order_id" ON "payment_dispute" ("order_id") WHERE deleted_at IS NULL;`);

    this.addSql(`create table if not exists "payment_gateway_event" ("id" text not null, "provider_id" text not null, "event_id" text not null, "event_type" text not null, "kind" text not null, "source" text not null, "session_id" text null, "payment_id" text null, "outcome" text not null default 'received', "detail" text null, "deliveries" integer not null default 1, "attempts" integer not null default 0, "occurred_at" timestamptz null, "processed_at" timestamptz null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "deleted_at" timestamptz null, constraint "payment_gateway_event_pkey" primary key ("id"));`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_payment_gateway_event_deleted_at" ON "payment_gateway_event" ("deleted_at") WHERE deleted_at IS NULL;`);
    this.addSql(`CREATE UNIQUE INDEX IF NOT EXISTS "IDX_payment_gateway_event_provider_id_event_id_unique" ON "payment_gateway_event" ("provider_id", "event_id") WHERE deleted_at IS NULL;`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_payment_gateway_event_session_id" ON "payment_gateway_event" ("session_id") WHERE deleted_at IS NULL;`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_payment_gateway_event_payment_id" ON "payment_gateway_event" ("payment_id") WHERE deleted_at IS NULL;`);

    this.addSql(`create table if not exists "payment_gateway_state" ("id" text not null, "provider_id" text not null, "session_id" text not null, "payment_id" text null, "status" text not null, "gateway_status" text null, "currency_code" text null, "authorized_amount" text null, "captured_amount" text null, "refunded_amount" text null, "authorization_expires_at" timestamptz null, "checked_at" timestamptz not null, "error" text null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "deleted_at" timestamptz null, constraint "payment_gateway_state_pkey" primary key ("id"));`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_payment_gateway_state_deleted_at" ON "payment_gateway_state" ("deleted_at") WHERE deleted_at IS NULL;`);
    this.addSql(`CREATE UNIQUE INDEX IF NOT EXISTS "IDX_payment_gateway_state_session_id_unique" ON "payment_gateway_state" ("session_id") WHERE deleted_at IS NULL;`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_payment_gateway_state_payment_id" ON "payment_gateway_state" ("payment_id") WHERE deleted_at IS NULL;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "payment_dispute" cascade;`);

    this.addSql(`drop table if exists "payment_gateway_event" cascade;`);

    this.addSql(`drop table if exists "payment_gateway_state" cascade;`);
  }

}
