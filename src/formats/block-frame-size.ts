// The size of a block frame's header, apart from the frame code (zlib, crypto) for processes that only size buffers.

export const FRAME_HEADER_BYTES = 64;
