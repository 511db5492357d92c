"""picohil reference firmware for Raspberry Pi Pico / Pico W (MicroPython).

Three cooperative tasks share one asyncio scheduler:

* echo    - transparent binary echo on the data UART (UART1, GP4 TX / GP5 RX);
* blink   - onboard LED toggled on a fixed cadence, mirrored on GP15;
* control - line-based ASCII command channel on USB CDC (sys.stdin/stdout).

No task ever blocks the scheduler, and an exception inside a task is counted
and survived rather than allowed to end the task.
"""

import gc
import sys
import time

from machine import Pin, UART

try:
    import asyncio
except ImportError:
    import uasyncio as asyncio

NAME = "picohil-fw"
VERSION = "1.1.0"

UART_ID = 1
UART_TX_PIN = 4
UART_RX_PIN = 5
UART_BUFFER = 1024
DEFAULT_BAUD = 115200
MIN_BAUD = 300
MAX_BAUD = 3000000

MIRROR_PIN = 15
DEFAULT_HALF_PERIOD_MS = 1000
MAX_HALF_PERIOD_MS = 60000

MAX_BURST = 1000000
BURST_BYTE = 0x55
CHUNK = 256

# A garbage collection stops every task for as long as it marks what is
# alive (some 2 ms for this firmware on a 125 MHz RP2040) and frees what is
# not (some 30 us per KB). Left until the heap is exhausted, a collection
# frees some 200 KB: 9 ms, more than the 5 ms turnaround allowed. Collecting
# after every GC_EVERY bytes allocated bounds each pause near 2.5 ms: about
# one in 50 one-byte round trips meets one, well inside its budget.
GC_EVERY = 16 * 1024

# Pause after a swallowed exception so a persistent fault cannot spin the CPU.
ERROR_BACKOFF_MS = 10


def board():
    """The interpreter, its version and the board, as MicroPython reports
    them: "micropython 1.24.1 Raspberry Pi Pico with RP2040"."""
    impl = sys.implementation
    version = ".".join(str(v) for v in impl.version[:3])
    return "%s %s %s" % (impl.name, version, getattr(impl, "_machine", "unknown board"))


def _int_in_range(text, low, high):
    """Parse a decimal integer in [low, high]; None if it is not one."""
    try:
        value = int(text)
    except ValueError:
        return None
    if low <= value <= high:
        return value
    return None


def _text(line):
    """Decode a command line, tolerating bytes that are not valid UTF-8."""
    try:
        text = line.decode()
    except UnicodeError:
        text = "".join(chr(b) if b < 0x80 else "?" for b in line)
    return text.strip("\r\n")


class Firmware:
    def __init__(self):
        self.uart = UART(
            UART_ID,
            baudrate=DEFAULT_BAUD,
            bits=8,
            parity=None,
            stop=1,
            tx=Pin(UART_TX_PIN),
            rx=Pin(UART_RX_PIN),
            txbuf=UART_BUFFER,
            rxbuf=UART_BUFFER,
        )
        self.uart_reader = asyncio.StreamReader(self.uart)
        self.uart_writer = asyncio.StreamWriter(self.uart, {})
        # The echo and burst tasks share the writer; the lock keeps their
        # write/drain pairs from interleaving.
        self.tx_lock = asyncio.Lock()
        self.leds = (Pin("LED", Pin.OUT), Pin(MIRROR_PIN, Pin.OUT))
        self.half_period_ms = DEFAULT_HALF_PERIOD_MS
        self.period_changed = asyncio.Event()
        self.rx = 0
        self.tx = 0
        self.errors = 0

    # -- data UART -----------------------------------------------------------

    async def send(self, data):
        # StreamWriter.write copies whatever the UART does not take at once,
        # so the caller may reuse data as soon as this returns.
        await self.tx_lock.acquire()
        try:
            self.uart_writer.write(data)
            await self.uart_writer.drain()
        finally:
            self.tx_lock.release()
        self.tx += len(data)

    async def echo(self):
        # One buffer for the life of the task: a chunk allocates the waits'
        # generators and a view, never a copy of its bytes.
        buf = memoryview(bytearray(CHUNK))
        first, rest = buf[:1], buf[1:]
        while True:
            try:
                # UART.read(n) returns only when n bytes came or the line was
                # quiet for timeout_char, and holds every task while it
                # waits. So wait until one byte is in the receive buffer,
                # then take only what is already there.
                await self.uart_reader.readinto(first)
                data = buf[: 1 + self.uart.readinto(rest, min(self.uart.any(), CHUNK - 1))]
                self.rx += len(data)
                await self.send(data)
            except Exception:
                self.errors += 1
                await asyncio.sleep_ms(ERROR_BACKOFF_MS)

    async def burst(self, count):
        block = bytes((BURST_BYTE,)) * min(count, CHUNK)
        try:
            while count > 0:
                piece = block if count >= len(block) else block[:count]
                await self.send(piece)
                count -= len(piece)
        except Exception:
            # A failing UART ends this burst, not the firmware.
            self.errors += 1

    # -- LED -----------------------------------------------------------------

    def show(self, level):
        for pin in self.leds:
            pin.value(level)

    async def blink(self):
        level = 1
        self.show(level)
        toggled_at = time.ticks_ms()
        while True:
            # Deadlines are absolute, so time spent in other tasks does not
            # accumulate as drift.
            deadline = time.ticks_add(toggled_at, self.half_period_ms)
            delay = time.ticks_diff(deadline, time.ticks_ms())
            if delay > 0:
                self.period_changed.clear()
                try:
                    await asyncio.wait_for_ms(self.period_changed.wait(), delay)
                    # New half-period: recompute the deadline from the last toggle.
                    continue
                except asyncio.TimeoutError:
                    pass
            level ^= 1
            self.show(level)
            now = time.ticks_ms()
            if time.ticks_diff(now, deadline) < self.half_period_ms:
                toggled_at = deadline
            else:
                # More than a whole period late: resynchronise instead of
                # catching up with a run of instant toggles.
                toggled_at = now

    # -- control channel -----------------------------------------------------

    def reply(self, text):
        # sys.stdout.write() hands the bytes to USB before it returns, so a
        # reply is on its way before any action that follows it.
        sys.stdout.write(text + "\n")

    def command(self, text):
        """Execute one command line; return the reply line (None: no reply).

        Every reply names its command (OK <WORD> <value>, ERR <WORD> <reason>)
        so the host never pairs a late reply with a later command."""
        words = text.split()
        if not words:
            return None
        word = words[0]
        arg = " ".join(words[1:])
        cmd = word.upper()
        if cmd == "VERSION":
            return "OK VERSION %s %s" % (NAME, VERSION)
        if cmd == "BAUD":
            rate = _int_in_range(arg, MIN_BAUD, MAX_BAUD)
            if rate is None:
                return "ERR BAUD bad baud " + arg
            # Without rxbuf/txbuf, init() re-allocates both buffers at the
            # 256-byte default (the rp2 port up to v1.24).
            self.uart.init(baudrate=rate, txbuf=UART_BUFFER, rxbuf=UART_BUFFER)
            # OK is sent once the data UART runs at the new rate, so a host
            # that switches on OK is never early.
            return "OK BAUD %d" % rate
        if cmd == "BLINK":
            half = _int_in_range(arg, 1, MAX_HALF_PERIOD_MS)
            if half is None:
                return "ERR BLINK bad half-period " + arg
            self.half_period_ms = half
            self.period_changed.set()
            return "OK BLINK %d" % half
        if cmd == "BURST":
            count = _int_in_range(arg, 1, MAX_BURST)
            if count is None:
                return "ERR BURST bad burst " + arg
            self.reply("OK BURST %d" % count)
            asyncio.create_task(self.burst(count))
            return None
        if cmd == "STATS":
            return "OK STATS rx=%d tx=%d errors=%d" % (self.rx, self.tx, self.errors)
        if cmd == "BOARD":
            return "OK BOARD " + board()
        return "ERR %s unknown command" % cmd

    async def control(self):
        reader = asyncio.StreamReader(sys.stdin)
        while True:
            try:
                line = await reader.readline()
                if not line:
                    return  # USB host closed the stream
                answer = self.command(_text(line))
                if answer is not None:
                    self.reply(answer)
            except Exception:
                self.errors += 1
                await asyncio.sleep_ms(ERROR_BACKOFF_MS)


async def main():
    gc.threshold(GC_EVERY)
    firmware = Firmware()
    await asyncio.gather(firmware.blink(), firmware.echo(), firmware.control())


if __name__ == "__main__":
    asyncio.run(main())
