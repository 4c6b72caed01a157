"""Drives headless Chromium over the DevTools protocol on a pipe (standard
library only): open a page, read values from its DOM over time, take a
screenshot.  The tests use it where a page keeps a stream open (server-sent
events), which --dump-dom and --virtual-time-budget never see the end of.

    python3 cdp.py URL OUT.png WAIT_S EXPR [EXPR...]

Loads URL, waits WAIT_S seconds, prints each JS expression's value as
"1 <expr index> <value>", runs $CDP_BETWEEN (a shell command, if set), waits
WAIT_S again, prints them as "2 ...", then saves a screenshot (480x900) to
OUT.png.  Exit 1 with a reason on stderr.  $CDP_LOG: Chromium's stderr.
"""
import base64, fcntl, json, os, shutil, subprocess, sys, tempfile, time


class Browser:
    def __init__(self, url):
        exe = shutil.which("chromium") or shutil.which("chromium-browser")
        if not exe:
            raise SystemExit("chromium not installed")
        self.dir = tempfile.mkdtemp(prefix="cs-cdp-")
        # fd 3: commands to the browser, fd 4: its replies (NUL-separated JSON).
        # Both child ends above 4 first, so the dup2s cannot clobber each other.
        to_r, self.to_w = os.pipe()
        self.from_r, from_w = os.pipe()
        hi = [fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in (to_r, from_w)]
        os.close(to_r)
        os.close(from_w)
        to_r, from_w = hi
        self.p = subprocess.Popen(
            [exe, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe",
             "--user-data-dir=" + self.dir, "--window-size=480,900", "about:blank"],
            pass_fds=(3, 4), stdout=subprocess.DEVNULL, stderr=open(os.environ.get("CDP_LOG", os.devnull), "w"),
            preexec_fn=lambda: (os.dup2(to_r, 3), os.dup2(from_w, 4)))
        os.close(to_r)
        os.close(from_w)
        self.buf = b""
        self.n = 0
        tid = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.sid = self.call("Target.attachToTarget", {"targetId": tid, "flatten": True})["sessionId"]
        self.call("Page.enable", {}, self.sid)
        self.call("Page.navigate", {"url": url}, self.sid)

    def call(self, method, params, sid=None):
        self.n += 1
        msg = {"id": self.n, "method": method, "params": params}
        if sid:
            msg["sessionId"] = sid
        os.write(self.to_w, json.dumps(msg).encode() + b"\0")
        deadline = time.time() + 30
        while time.time() < deadline:
            while b"\0" in self.buf:
                raw, self.buf = self.buf.split(b"\0", 1)
                r = json.loads(raw)
                if r.get("id") == self.n:
                    if "error" in r:
                        raise SystemExit(f"{method}: {r['error']}")
                    return r["result"]
            chunk = os.read(self.from_r, 1 << 20)
            if not chunk:
                raise SystemExit("chromium closed the pipe")
            self.buf += chunk
        raise SystemExit(f"{method}: no answer in 30 s")

    def eval(self, expr):
        r = self.call("Runtime.evaluate", {"expression": expr, "returnByValue": True}, self.sid)
        return r["result"].get("value")

    def close(self):
        self.p.kill()
        self.p.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def main():
    url, png, wait, exprs = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4:]
    b = Browser(url)
    try:
        for rnd in (1, 2):
            time.sleep(wait)
            for i, e in enumerate(exprs):
                print(rnd, i, b.eval(e), flush=True)
            if rnd == 1 and os.environ.get("CDP_BETWEEN"):
                subprocess.run(os.environ["CDP_BETWEEN"], shell=True, check=False)
        shot = b.call("Page.captureScreenshot", {"format": "png"}, b.sid)
        open(png, "wb").write(base64.b64decode(shot["data"]))
    finally:
        b.close()


if __name__ == "__main__":
    main()
