CREATE TABLE "support_agent_inbox_limits" (
	"user_id" uuid NOT NULL,
	"inbox_id" uuid NOT NULL,
	"max_conversations" integer NOT NULL,
	CONSTRAINT "support_agent_inbox_limits_user_id_inbox_id_pk" PRIMARY KEY("user_id","inbox_id")
);
--> statement-breakpoint
CREATE TABLE "support_agents" (
	"user_id" uuid PRIMARY KEY NOT NULL,
	"availability" text DEFAULT 'online' NOT NULL,
	"connected" boolean DEFAULT false NOT NULL,
	"offline_since" timestamp (3) with time zone,
	"max_conversations" integer,
	"last_assigned_at" timestamp (3) with time zone,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "support_assignments" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"conversation_id" uuid NOT NULL,
	"from_id" uuid,
	"to_id" uuid,
	"team_id" uuid,
	"reason" text NOT NULL,
	"note" text,
	"actor_id" uuid,
	"queued_at" timestamp (3) with time zone,
	"at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "support_canned_replies" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"scope" text NOT NULL,
	"owner_id" uuid,
	"team_id" uuid,
	"shortcut" text NOT NULL,
	"shortcut_key" text NOT NULL,
	"title" text,
	"body" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "support_canned_replies_shortcut_key" UNIQUE NULLS NOT DISTINCT("scope","owner_id","team_id","shortcut_key")
);
--> statement-breakpoint
CREATE TABLE "support_inbox_teams" (
	"inbox_id" uuid NOT NULL,
	"team_id" uuid NOT NULL,
	CONSTRAINT "support_inbox_teams_inbox_id_team_id_pk" PRIMARY KEY("inbox_id","team_id")
);
--> statement-breakpoint
CREATE TABLE "support_inboxes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"routing" text DEFAULT 'round_robin' NOT NULL,
	"queue_order" text DEFAULT 'oldest' NOT NULL,
	"reopen_window_seconds" integer,
	"reassign_offline_after_seconds" integer,
	"reassign_no_reply_after_seconds" integer,
	"max_auto_reassigns" integer,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "support_team_members" (
	"team_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"role" text NOT NULL,
	CONSTRAINT "support_team_members_team_id_user_id_role_pk" PRIMARY KEY("team_id","user_id","role")
);
--> statement-breakpoint
CREATE TABLE "support_teams" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "support_teams_name_unique" UNIQUE("name")
);
--> statement-breakpoint
CREATE TABLE "support_tickets" (
	"conversation_id" uuid PRIMARY KEY NOT NULL,
	"notes_conversation_id" uuid NOT NULL,
	"inbox_id" uuid NOT NULL,
	"team_id" uuid,
	"assignee_id" uuid,
	"customer_id" uuid NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"priority" text DEFAULT 'none' NOT NULL,
	"labels" text[] DEFAULT '{}'::text[] NOT NULL,
	"waiting_since" timestamp (3) with time zone,
	"queued_at" timestamp (3) with time zone,
	"assigned_at" timestamp (3) with time zone,
	"first_customer_message_at" timestamp (3) with time zone,
	"first_agent_reply_at" timestamp (3) with time zone,
	"last_activity_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"resolved_at" timestamp (3) with time zone,
	"closed_at" timestamp (3) with time zone,
	"snoozed_until" timestamp (3) with time zone,
	"snoozed_until_reply" boolean DEFAULT false NOT NULL,
	"reopen_count" integer DEFAULT 0 NOT NULL,
	"auto_reassigns" integer DEFAULT 0 NOT NULL,
	"excluded_agent_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"escalated_at" timestamp (3) with time zone,
	"previous_assignee_id" uuid,
	"linked_from" uuid,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "conversations" DROP CONSTRAINT "conversations_kind_check";--> statement-breakpoint
ALTER TABLE "users" DROP CONSTRAINT "users_role_check";--> statement-breakpoint
ALTER TABLE "conversations" DROP CONSTRAINT "conversations_assignee_id_users_id_fk";
--> statement-breakpoint
ALTER TABLE "support_agent_inbox_limits" ADD CONSTRAINT "support_agent_inbox_limits_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "support_agent_inbox_limits" ADD CONSTRAINT "support_agent_inbox_limits_inbox_id_support_inboxes_id_fk" FOREIGN KEY ("inbox_id") REFERENCES "public"."support_inboxes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "support_agents" ADD CONSTRAINT "support_agents_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "support_assignments" ADD CONSTRAINT "support_assignments_conversation_id_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "support_canned_replies" ADD CONSTRAINT "support_canned_replies_owner_id_users_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "support_canned_replies" ADD CONSTRAINT "support_canned_replies_team_id_support_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."support_teams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "support_inbox_teams" ADD CONSTRAINT "support_inbox_teams_inbox_id_support_inboxes_id_fk" FOREIGN KEY ("inbox_id") REFERENCES "public"."support_inboxes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "support_inbox_teams" ADD CONSTRAINT "support_inbox_teams_team_id_support_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."support_teams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "support_team_members" ADD CONSTRAINT "support_team_members_team_id_support_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."support_teams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "support_team_members" ADD CONSTRAINT "support_team_members_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "support_tickets" ADD CONSTRAINT "support_tickets_conversation_id_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "support_tickets" ADD CONSTRAINT "support_tickets_notes_conversation_id_conversations_id_fk" FOREIGN KEY ("notes_conversation_id") REFERENCES "public"."conversations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "support_tickets" ADD CONSTRAINT "support_tickets_inbox_id_support_inboxes_id_fk" FOREIGN KEY ("inbox_id") REFERENCES "public"."support_inboxes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "support_tickets" ADD CONSTRAINT "support_tickets_team_id_support_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."support_teams"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "support_tickets" ADD CONSTRAINT "support_tickets_assignee_id_users_id_fk" FOREIGN KEY ("assignee_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "support_tickets" ADD CONSTRAINT "support_tickets_customer_id_users_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "support_assignments_conversation_idx" ON "support_assignments" USING btree ("conversation_id","id");--> statement-breakpoint
CREATE INDEX "support_assignments_to_idx" ON "support_assignments" USING btree ("to_id","at");--> statement-breakpoint
CREATE UNIQUE INDEX "support_inboxes_app_idx" ON "support_inboxes" USING btree ("kind") WHERE kind = 'app';--> statement-breakpoint
CREATE INDEX "support_team_members_user_idx" ON "support_team_members" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "support_tickets_assignee_idx" ON "support_tickets" USING btree ("assignee_id","status");--> statement-breakpoint
CREATE INDEX "support_tickets_queue_idx" ON "support_tickets" USING btree ("inbox_id","queued_at") WHERE assignee_id is null and status = 'open';--> statement-breakpoint
CREATE INDEX "support_tickets_activity_idx" ON "support_tickets" USING btree ("status","last_activity_at");--> statement-breakpoint
CREATE INDEX "support_tickets_customer_idx" ON "support_tickets" USING btree ("customer_id");--> statement-breakpoint
INSERT INTO "support_inboxes" ("id", "name", "kind") VALUES ('00000000-0000-4000-8000-00000000a991', 'App', 'app');--> statement-breakpoint
-- Every support conversation of an earlier version gets its notes conversation and its ticket:
-- its status and assignee as they were (an agent who answered, if none was set), when the
-- customer first wrote and was first answered, and since when they wait for an answer.
WITH "src" AS (
  SELECT c."id", c."created_by", coalesce(c."status", 'open') AS "status", c."created_at", c."last_message_at",
    c."first_reply_at", c."resolved_at",
    coalesce(c."assignee_id", (SELECT m."user_id" FROM "members" m WHERE m."conversation_id" = c."id" AND m."role" = 'agent' ORDER BY m."joined_at" LIMIT 1)) AS "assignee_id",
    coalesce((SELECT m."user_id" FROM "members" m WHERE m."conversation_id" = c."id" AND m."role" = 'customer' ORDER BY m."joined_at" LIMIT 1), c."created_by") AS "customer_id",
    gen_random_uuid() AS "notes_id"
  FROM "conversations" c WHERE c."kind" = 'support'
), "kept" AS (
  SELECT s.*,
    (SELECT min(m."created_at") FROM "messages" m WHERE m."conversation_id" = s."id" AND m."sender_id" = s."customer_id") AS "first_customer_at",
    coalesce(s."first_reply_at", (SELECT min(m."created_at") FROM "messages" m WHERE m."conversation_id" = s."id" AND m."kind" = 'text' AND m."sender_id" IS DISTINCT FROM s."customer_id")) AS "first_reply",
    (SELECT min(m."created_at") FROM "messages" m WHERE m."conversation_id" = s."id" AND m."sender_id" = s."customer_id"
       AND m."seq" > coalesce((SELECT max(r."seq") FROM "messages" r WHERE r."conversation_id" = s."id" AND r."kind" = 'text' AND r."sender_id" IS DISTINCT FROM s."customer_id"), 0)) AS "unanswered_since"
  FROM "src" s WHERE s."customer_id" IS NOT NULL
), "notes" AS (
  INSERT INTO "conversations" ("id", "kind", "created_by", "created_at") SELECT "notes_id", 'notes', "created_by", "created_at" FROM "kept" RETURNING "id"
)
INSERT INTO "support_tickets" ("conversation_id", "notes_conversation_id", "inbox_id", "assignee_id", "customer_id", "status", "waiting_since", "queued_at", "assigned_at", "first_customer_message_at", "first_agent_reply_at", "last_activity_at", "resolved_at", "closed_at", "created_at")
SELECT "id", "notes_id", '00000000-0000-4000-8000-00000000a991', "assignee_id", "customer_id", "status",
  CASE WHEN "status" IN ('open', 'pending') THEN "unanswered_since" END,
  CASE WHEN "status" = 'open' AND "assignee_id" IS NULL THEN coalesce("unanswered_since", "created_at") END,
  CASE WHEN "assignee_id" IS NOT NULL THEN "created_at" END,
  "first_customer_at",
  "first_reply",
  "last_message_at",
  CASE WHEN "status" IN ('resolved', 'closed') THEN coalesce("resolved_at", "last_message_at") END,
  CASE WHEN "status" = 'closed' THEN "last_message_at" END,
  "created_at"
FROM "kept";--> statement-breakpoint
ALTER TABLE "conversations" DROP COLUMN "status";--> statement-breakpoint
ALTER TABLE "conversations" DROP COLUMN "assignee_id";--> statement-breakpoint
ALTER TABLE "conversations" DROP COLUMN "priority";--> statement-breakpoint
ALTER TABLE "conversations" DROP COLUMN "first_reply_at";--> statement-breakpoint
ALTER TABLE "conversations" DROP COLUMN "resolved_at";--> statement-breakpoint
ALTER TABLE "conversations" ADD CONSTRAINT "conversations_kind_check" CHECK ("conversations"."kind" in ('direct', 'group', 'support', 'notes'));--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_role_check" CHECK ("users"."role" in ('customer', 'agent', 'supervisor', 'admin'));