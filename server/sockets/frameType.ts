import * as decoding from "lib0/decoding";

/**
 * Reads a Hocuspocus frame's message type, leaving `decoder` just past it. A frame is the
 * document's address (a varString, written by @hocuspocus/server's OutgoingMessage with
 * writeVarString), then the type (writeVarUint), then the message. The address is skipped
 * by its length, not decoded: the sockets call this on every frame they send. Undefined
 * when the frame ends before its type; a malformed length throws (lib0's decoder).
 */
export function readFrameType(decoder: decoding.Decoder): number | undefined {
  const addressLength = decoding.readVarUint(decoder);
  decoder.pos += addressLength;
  if (decoder.pos >= decoder.arr.length) return undefined;
  return decoding.readVarUint(decoder);
}
