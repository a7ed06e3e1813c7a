ALTER TABLE "message_search" DROP CONSTRAINT "message_search_conversation_id_conversations_id_fk";
--> statement-breakpoint
ALTER TABLE "message_search_progress" DROP CONSTRAINT "message_search_progress_conversation_id_conversations_id_fk";
