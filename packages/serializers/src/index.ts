export { jsonSerializer as json } from '@cache/core';
export { type CompressedOptions, type CompressionAlgorithm, compressed } from './compressed.js';
export { createMsgpackSerializer, type MsgpackSerializerOptions, msgpack } from './msgpack-serializer.js';
export { serializerRegistry } from './serializer-registry.js';
export { v8 } from './v8-serializer.js';
