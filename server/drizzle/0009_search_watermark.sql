CREATE TABLE "message_search_progress" (
	"conversation_id" uuid PRIMARY KEY NOT NULL,
	"indexed_seq" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
ALTER TABLE "message_search_progress" ADD CONSTRAINT "message_search_progress_conversation_id_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("id") ON DELETE cascade ON UPDATE no action;