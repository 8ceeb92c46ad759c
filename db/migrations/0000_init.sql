CREATE TABLE "change_log" (
	"workspace_id" text NOT NULL,
	"seq" bigint NOT NULL,
	"entity_type" text NOT NULL,
	"entity_id" uuid NOT NULL,
	"op" text NOT NULL,
	"version" integer NOT NULL,
	"changed_fields" text[] NOT NULL,
	"client_id" text,
	"mutation_id" text,
	"record" jsonb NOT NULL,
	"committed_at" timestamp with time zone NOT NULL,
	CONSTRAINT "change_log_workspace_id_seq_pk" PRIMARY KEY("workspace_id","seq")
);
--> statement-breakpoint
CREATE TABLE "client_mutations" (
	"workspace_id" text NOT NULL,
	"client_id" text NOT NULL,
	"mutation_id" text NOT NULL,
	"entity_type" text NOT NULL,
	"entity_id" uuid NOT NULL,
	"seq" bigint NOT NULL,
	CONSTRAINT "client_mutations_workspace_id_client_id_mutation_id_pk" PRIMARY KEY("workspace_id","client_id","mutation_id")
);
--> statement-breakpoint
CREATE TABLE "notes" (
	"workspace_id" text NOT NULL,
	"id" uuid NOT NULL,
	"version" integer NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"deleted" boolean DEFAULT false NOT NULL,
	"title" text NOT NULL,
	"body" text NOT NULL,
	"pinned" boolean NOT NULL,
	"folder_id" text,
	CONSTRAINT "notes_workspace_id_id_pk" PRIMARY KEY("workspace_id","id")
);
--> statement-breakpoint
CREATE TABLE "sync_meta" (
	"key" text PRIMARY KEY NOT NULL,
	"value" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sync_workspaces" (
	"id" text PRIMARY KEY NOT NULL,
	"last_seq" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE INDEX "change_log_record_idx" ON "change_log" USING btree ("workspace_id","entity_type","entity_id","version");