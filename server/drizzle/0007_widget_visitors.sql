CREATE TABLE "widget_conversations" (
	"conversation_id" uuid PRIMARY KEY NOT NULL,
	"widget_id" uuid NOT NULL,
	"contact_id" uuid NOT NULL,
	"start_client_msg_id" text NOT NULL,
	"form" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"offline" boolean DEFAULT false NOT NULL,
	"host_origin" text,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "support_widgets" ADD COLUMN "prechat" jsonb DEFAULT '{"enabled":false,"fields":[]}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "support_widgets" ADD COLUMN "wait_offer_seconds" integer DEFAULT 180 NOT NULL;--> statement-breakpoint
ALTER TABLE "widget_contacts" ADD COLUMN "attributes" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "widget_conversations" ADD CONSTRAINT "widget_conversations_conversation_id_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "widget_conversations" ADD CONSTRAINT "widget_conversations_widget_id_support_widgets_id_fk" FOREIGN KEY ("widget_id") REFERENCES "public"."support_widgets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "widget_conversations" ADD CONSTRAINT "widget_conversations_contact_id_widget_contacts_id_fk" FOREIGN KEY ("contact_id") REFERENCES "public"."widget_contacts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "widget_conversations_start_idx" ON "widget_conversations" USING btree ("contact_id","start_client_msg_id");--> statement-breakpoint
CREATE INDEX "widget_conversations_contact_idx" ON "widget_conversations" USING btree ("contact_id","created_at");