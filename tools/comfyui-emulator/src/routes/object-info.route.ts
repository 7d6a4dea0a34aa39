import type { EmulatorContext } from '../emulator-context';
import { jsonReply } from '../http/http-reply';
import type { Route } from '../http/router';

export function objectInfoRoutes(context: EmulatorContext): Route[] {
  return [
    {
      method: 'GET',
      pattern: '/object_info',
      handler: () => {
        const all = new Map<string, unknown>();
        for (const name of context.catalogue.classNames()) all.set(name, context.catalogue.get(name));
        return jsonReply(all);
      },
    },
    {
      method: 'GET',
      pattern: '/object_info/{node_class}',
      handler: (request) => {
        const name = request.params.node_class;
        const info = context.catalogue.get(name);
        return jsonReply(info ? new Map([[name, info]]) : {});
      },
    },
  ];
}
