/**
 * The messages between the loader (on the host page) and the chat frame (on our origin), shared by
 * both sides. Each side posts only with the other's exact origin and accepts a message only from
 * the other's origin and window; anything not in these tables, or with a wrong shape, is dropped.
 * Kept free of dependencies (no zod): the loader's budget is 4 kB gzip.
 */

/** Values a host page may attach to the visitor; anything else is dropped before posting. */
export type AttributeValue = string | number | boolean | null;
export type Attributes = Record<string, AttributeValue>;

/** Sent by the frame to the loader. */
export interface FrameToHost {
  /** The frame listens; the loader may now post to it (earlier posts would be lost). */
  'abrik:ready': Record<never, never>;
  /** Unread messages for this visitor (the frame keeps it in sync across tabs). */
  'abrik:unread': { count: number };
  /** The visitor closed the chat from inside the frame (its close button, or Escape there). */
  'abrik:close': Record<never, never>;
}

/** Sent by the loader to the frame. */
export interface HostToFrame {
  /** A token signed by the site's backend; handed through, never kept by the loader. */
  'abrik:identify': { token: string };
  'abrik:attributes': { attributes: Attributes };
  /** The visitor signed out of the host site: forget the session and identity. */
  'abrik:reset': Record<never, never>;
  /** The chat panel was shown or hidden (read receipts, focus). */
  'abrik:visibility': { open: boolean };
}

export type Message<Table> = { [Type in keyof Table]: { type: Type } & Table[Type] }[keyof Table];
export type FrameMessage = Message<FrameToHost>;
export type HostMessage = Message<HostToFrame>;

type Validators<Table> = { [Type in keyof Table]: (data: Record<string, unknown>) => boolean };

const isCount = (value: unknown) => Number.isInteger(value) && (value as number) >= 0;

const FRAME_MESSAGES: Validators<FrameToHost> = {
  'abrik:ready': () => true,
  'abrik:unread': (data) => isCount(data.count),
  'abrik:close': () => true,
};

const HOST_MESSAGES: Validators<HostToFrame> = {
  'abrik:identify': (data) => typeof data.token === 'string' && data.token !== '',
  'abrik:attributes': (data) => isAttributes(data.attributes),
  'abrik:reset': () => true,
  'abrik:visibility': (data) => typeof data.open === 'boolean',
};

function parse<Table>(validators: Validators<Table>, data: unknown): Message<Table> | null {
  if (typeof data !== 'object' || data === null) return null;
  const record = data as Record<string, unknown>;
  const type = record.type;
  if (typeof type !== 'string' || !Object.hasOwn(validators, type)) return null;
  return validators[type as keyof Table](record) ? (record as Message<Table>) : null;
}

/** A message from the frame, or null when it is not one we know (then it is dropped). */
export const parseFrameMessage = (data: unknown) => parse(FRAME_MESSAGES, data);
/** A message from the loader, for the frame's side. */
export const parseHostMessage = (data: unknown) => parse(HOST_MESSAGES, data);

export function isAttributes(value: unknown): value is Attributes {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  return Object.values(value).every(
    (item) => item === null || ['string', 'number', 'boolean'].includes(typeof item),
  );
}
