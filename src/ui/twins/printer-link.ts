// Connects a twin to the virtual printer of its model through the printer-control core (Marlin host protocol).
import { MarlinHost, VirtualTransport } from '../../lib/printer/index';
import type { TwinSessionParameters } from '../../lib/twin/index';

export async function virtualPrinter(model: string): Promise<NonNullable<TwinSessionParameters['printer']>> {
  const transport = new VirtualTransport({ model, skipWaits: true, timeScale: 100 });
  const host = new MarlinHost({ baud: transport.baud });
  await host.attach(await transport.open());
  return { host, label: transport.label, close: () => host.close() };
}
