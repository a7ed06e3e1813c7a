CREATE TABLE "support_widgets" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"inbox_id" uuid NOT NULL,
	"allowed_origins" text[] DEFAULT '{}'::text[] NOT NULL,
	"identity_mode" text DEFAULT 'optional' NOT NULL,
	"secret" text NOT NULL,
	"previous_secret" text,
	"previous_secret_expires_at" timestamp (3) with time zone,
	"theme" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"greeting" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"offline_text" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "support_widgets_identity_mode_check" CHECK ("support_widgets"."identity_mode" in ('off', 'optional', 'required'))
);
--> statement-breakpoint
CREATE TABLE "widget_contacts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"widget_id" uuid NOT NULL,
	"external_id" text NOT NULL,
	"user_id" uuid NOT NULL,
	"verified" boolean NOT NULL,
	"name" text,
	"email" text,
	"phone" text,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "support_widgets" ADD CONSTRAINT "support_widgets_inbox_id_support_inboxes_id_fk" FOREIGN KEY ("inbox_id") REFERENCES "public"."support_inboxes"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "widget_contacts" ADD CONSTRAINT "widget_contacts_widget_id_support_widgets_id_fk" FOREIGN KEY ("widget_id") REFERENCES "public"."support_widgets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "widget_contacts" ADD CONSTRAINT "widget_contacts_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "support_widgets_origins_idx" ON "support_widgets" USING gin ("allowed_origins");--> statement-breakpoint
CREATE INDEX "support_widgets_inbox_idx" ON "support_widgets" USING btree ("inbox_id");--> statement-breakpoint
CREATE UNIQUE INDEX "widget_contacts_external_idx" ON "widget_contacts" USING btree ("widget_id","verified","external_id");--> statement-breakpoint
CREATE INDEX "widget_contacts_user_idx" ON "widget_contacts" USING btree ("user_id");