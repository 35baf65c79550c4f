"""The server process itself (issue 18): a stop under load ends with exit 0, and anonymous 40 MB posts neither
flood the memory nor slow /health. Each test starts a server of its own on a fresh SQLite file."""
import http.client
import signal
import threading
import time
import urllib.request

from conftest import start_server


def server():
    proc, url, log = start_server(prefix="subsidia-proc-")
    return proc, int(url.rsplit(":", 1)[1]), log


def hammer(port, paths, stop, counts):
    """Requests in a loop until `stop` is set; bounded by the test's own time."""
    i = 0
    while not stop.is_set():
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            c.request("GET", paths[i % len(paths)])
            c.getresponse().read()
            c.close()
            counts.append(1)
        except Exception:
            pass
        i += 1


def test_sigterm_under_load_exits_zero():
    proc, port, log = server()
    stop = threading.Event()
    counts = []
    workers = [threading.Thread(target=hammer, args=(port, ["/", "/calls/timetable", "/login", "/health"], stop, counts))
               for _ in range(8)]
    for w in workers:
        w.start()
    try:
        time.sleep(2)
        assert len(counts) > 20, "the load did not reach the server"
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=40)
    finally:
        stop.set()
        for w in workers:
            w.join(timeout=10)
        if proc.poll() is None:
            proc.kill()
    assert code == 0, open(log).read()[-2000:]


def post_anonymous(port, size, results):
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        c.putrequest("POST", "/applications/00000000-0000-0000-0000-000000000000/documents")
        c.putheader("Content-Type", "multipart/form-data; boundary=x")
        c.putheader("Content-Length", str(size))
        c.endheaders()
        chunk = b"A" * 1_048_576
        sent = 0
        try:
            while sent < size:
                c.send(chunk)
                sent += len(chunk)
        except OSError:
            pass  # the server answered and closed before the whole body: what we want
        results.append(c.getresponse().status)
    except Exception as e:  # a closed connection is a refusal too
        results.append(repr(e))


def test_anonymous_uploads_do_not_flood_the_server():
    proc, port, log = server()
    try:
        results = []
        posts = [threading.Thread(target=post_anonymous, args=(port, 40 * 1_048_576, results)) for _ in range(10)]
        for p in posts:
            p.start()
        latencies = []
        end = time.time() + 3
        while time.time() < end:
            t = time.perf_counter()
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5).read()
            latencies.append(time.perf_counter() - t)
        for p in posts:
            p.join(timeout=60)
        latencies.sort()
        p99 = latencies[int(len(latencies) * 0.99) - 1]
        assert p99 < 0.1, f"/health p99 {p99 * 1000:.0f} ms"
        assert all(r == 403 or isinstance(r, str) for r in results), results
        rss_kb = int(open(f"/proc/{proc.pid}/status").read().split("VmRSS:")[1].split()[0])
        assert rss_kb < 300_000, f"server memory {rss_kb} kB"
    finally:
        proc.terminate()
        proc.wait(timeout=20)
