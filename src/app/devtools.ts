/**
 * The technician's device tools behind `tpv devices list|simulate`: the serial ports and USB
 * printers of this machine with who holds them, and simulators of a printer, a scanner and a
 * customer display. Device code is loaded on first use only.
 */
import { TpvError } from '../core/errors.js';

import type { PortStatus, SerialPortInfo, UsbPrinterInfo } from '../devices/ports.js';

/** A port of this machine, what the system says of it, and its access and holders. */
export type DetectedPort = (({ type: 'serial' } & SerialPortInfo) | ({ type: 'usb_printer' } & UsbPrinterInfo)) & { status: PortStatus };

/** Serial ports and USB printers, each with its access and holders. */
export async function detectPorts(): Promise<DetectedPort[]> {
  const ports = await import('../devices/ports.js');
  const found = [
    ...(await ports.listSerialPorts()).map((p) => ({ type: 'serial' as const, ...p })),
    ...(await ports.listUsbPrinters()).map((p) => ({ type: 'usb_printer' as const, ...p })),
  ];
  return Promise.all(found.map(async (p) => ({ ...p, status: await ports.portStatus(p.path, { excludeSelf: true }) })));
}

export interface SimulatedJob {
  seq: number;
  bytes: number;
  file: string | null;
  /** The job as the paper shows it. */
  text: string;
  /** The same, with markers for codes, cuts and the drawer pulse. */
  marked: string;
  events: unknown[];
}

/** A printer on TCP that shows each job it receives (`--listen host:port`). */
export async function startPrinterSimulator(
  opts: { listen: string; save?: string; state: string; drawerHigh: boolean },
  onJob: (job: SimulatedJob) => void,
): Promise<{ host: string; port: number; close(): Promise<void> }> {
  const sim = await import('../devices/simulators.js');
  const { decodedText } = await import('../devices/escpos-decode.js');
  const state = sim.SIMULATED_STATES.find((s) => s === opts.state);
  if (!state) throw new TpvError('invalid', 'simulate.state', { value: opts.state, states: sim.SIMULATED_STATES.join(', ') });
  return sim.simulatePrinter({
    ...sim.parseListen(opts.listen),
    ...(opts.save ? { save: opts.save } : {}),
    state,
    drawerHigh: opts.drawerHigh,
    onJob: (job) =>
      onJob({ seq: job.seq, bytes: job.bytes.length, file: job.file, text: decodedText(job.decoded), marked: decodedText(job.decoded, { markers: true }), events: job.decoded.events }),
  });
}

/** A serial scanner on a pseudo-terminal at `link`: each `scan` types a code and its suffix. */
export async function startScannerSimulator(link: string, suffix: string): Promise<{ link: string; scan(code: string): void; close(): void }> {
  const sim = await import('../devices/simulators.js');
  const pty = await sim.openPty(link);
  return { link: pty.link, scan: (code) => void pty.input.write(code + suffix), close: () => pty.close() };
}

/** A 2×20 customer display on a pseudo-terminal at `link`; `onLines` gets what it shows, boxed. */
export async function startDisplaySimulator(
  link: string,
  mode: string,
  onLines: (lines: [string, string], boxed: string) => void,
): Promise<{ link: string; exited: Promise<void>; close(): void }> {
  const { DISPLAY_MODES } = await import('../devices/display.js');
  const m = DISPLAY_MODES.find((x) => x === mode);
  if (!m) throw new TpvError('invalid', 'device.option', { flag: '--mode', value: mode, expected: DISPLAY_MODES.join(', ') });
  const sim = await import('../devices/simulators.js');
  const pty = await sim.openPty(link);
  sim.watchDisplay(pty.output, m, (lines) => onLines(lines, sim.displayBox(lines)));
  return { link: pty.link, exited: new Promise((resolve) => pty.child.once('exit', () => resolve())), close: () => pty.close() };
}
