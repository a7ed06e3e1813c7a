-- Every message updates its conversation's last_seq and last_message_at: with no index on either
-- column those updates are HOT (no new index entries, pruned in place), which keeps the table and
-- its indexes from bloating at the message rate. The support-queue index (unused so far) covered
-- last_message_at; the support work will index a column that does not change per message.
DROP INDEX "conversations_support_queue_idx";--> statement-breakpoint
ALTER TABLE "conversations" SET (fillfactor = 80);
