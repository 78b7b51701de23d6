"""Drives demo-pipeline (the pipeline simulator with cdcwatch watching it, as scripts/demo runs
it) through its terminal, for tests: typed commands on stdin, output lines read by a thread."""
import queue
import re
import subprocess
import threading
import time


class Demo:
    def __init__(self, demo, cdcwatch, source, *extra, stdin=subprocess.PIPE):
        self.process = subprocess.Popen([demo, cdcwatch, source, *extra], stdin=stdin, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, text=True, bufsize=1)
        self.lines, self.seen, self.failures = queue.Queue(), [], []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            self.lines.put(line)

    def type(self, command):
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()

    def expect(self, pattern, within):
        """The first output line from now on matching `pattern` (a regex); None, and a failure
        recorded, when none does within `within` seconds."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                break
            self.seen.append(line)
            match = re.search(pattern, line)
            if match:
                return match
        self.failures.append("no demo output line matching %r within %d s" % (pattern, within))
        return None

    def drain(self):
        while not self.lines.empty():
            self.seen.append(self.lines.get())

    def text(self):
        self.drain()
        return "".join(self.seen)

    def stop(self, within=30):
        """The exit code once it exits within `within` s; else kills it and returns None."""
        try:
            return self.process.wait(within)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            return None

    def finish(self):
        """Stops the demo if still running; prints its output when anything failed."""
        self.stop(1)
        if self.failures:
            print("--- demo output ---\n" + self.text())
