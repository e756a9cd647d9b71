/**
 * The link heartbeat between the server and a page. A dead network (Wi-Fi gone, a
 * black-holed route) closes nothing: a page only learns its link is dead when traffic it
 * expects stops arriving. So the server sends every page a one-byte Hocuspocus Ping this
 * often (the provider answers each with a Pong by itself), and a synced page that has
 * heard nothing for `HEARTBEAT_SILENCE_MS` gives its socket up, says it is offline, and
 * reconnects. The silence allows two lost or late beats before calling the link dead.
 */
export const HEARTBEAT_INTERVAL_MS = 1000;
export const HEARTBEAT_SILENCE_MS = 3 * HEARTBEAT_INTERVAL_MS;
