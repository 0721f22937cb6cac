"""The official `openai` package as a client of `seek serve` on loopback.

Environment: SEEK_TEST_BASE_URL (the server root, e.g. http://127.0.0.1:8080), SEEK_TEST_API_KEY (if the
server has a key), SEEK_TEST_LOOPING=1 when the server's replies never end by themselves (the fixture
server), which the slot tests need. Run through Tests/Python/run.sh.
"""
import concurrent.futures
import os
import time
import unittest

import httpx
import openai

BASE = os.environ.get("SEEK_TEST_BASE_URL", "http://127.0.0.1:8080").rstrip("/")
KEY = os.environ.get("SEEK_TEST_API_KEY", "none")
LOOPING = os.environ.get("SEEK_TEST_LOOPING") == "1"
assert BASE.startswith(("http://127.0.0.1", "http://localhost", "http://[::1]")), "tests talk to loopback only"


def client(**kwargs):
    return openai.OpenAI(base_url=BASE + "/v1", api_key=kwargs.pop("api_key", KEY), max_retries=0, timeout=60, **kwargs)


def health():
    return httpx.get(BASE + "/health", timeout=10).json()


def wait_until(condition, seconds=5.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


class OpenAIClientTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.client = client()
        cls.model = cls.client.models.list().data[0].id

    def chat(self, content="Who is my shepherd?", **kwargs):
        return self.client.chat.completions.create(
            model=self.model, messages=[{"role": "system", "content": "You are terse."}, {"role": "user", "content": content}],
            **kwargs)

    def test_models(self):
        models = self.client.models.list().data
        self.assertEqual(len(models), 1)
        self.assertEqual(models[0].object, "model")
        self.assertEqual(self.client.models.retrieve(self.model).id, self.model)

    def test_chat_without_streaming(self):
        reply = self.chat(max_tokens=8, temperature=0)
        self.assertEqual(reply.object, "chat.completion")
        self.assertEqual(reply.choices[0].message.role, "assistant")
        self.assertIn(reply.choices[0].finish_reason, ("stop", "length"))
        self.assertLessEqual(reply.usage.completion_tokens, 8)
        self.assertEqual(reply.usage.total_tokens, reply.usage.prompt_tokens + reply.usage.completion_tokens)
        self.assertIn("predicted_n", reply.model_extra["timings"])

    def test_chat_streaming_matches_the_whole_reply(self):
        whole = self.chat(max_tokens=12, temperature=0)
        chunks = list(self.chat(max_tokens=12, temperature=0, stream=True, stream_options={"include_usage": True}))
        self.assertEqual(chunks[0].choices[0].delta.role, "assistant")
        text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
        self.assertEqual(text, whole.choices[0].message.content)
        finishes = [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason]
        self.assertEqual(finishes, [whole.choices[0].finish_reason])
        self.assertEqual(chunks[-1].choices, [])
        self.assertEqual(chunks[-1].usage.completion_tokens, whole.usage.completion_tokens)
        self.assertEqual(len({c.id for c in chunks}), 1)

    def test_completions(self):
        reply = self.client.completions.create(model=self.model, prompt="The Lord is", max_tokens=5, temperature=0)
        self.assertEqual(reply.object, "text_completion")
        self.assertLessEqual(reply.usage.completion_tokens, 5)
        ids = self.client.completions.create(model=self.model, prompt=[100000, 400, 500], max_tokens=2, temperature=0)
        self.assertEqual(ids.usage.prompt_tokens, 3)
        streamed = list(self.client.completions.create(model=self.model, prompt="The Lord is", max_tokens=5,
                                                       temperature=0, stream=True))
        self.assertEqual("".join(c.choices[0].text for c in streamed if c.choices), reply.choices[0].text)

    def test_logprobs(self):
        reply = self.chat(max_tokens=4, temperature=0, logprobs=True, top_logprobs=3)
        content = reply.choices[0].logprobs.content
        self.assertEqual(len(content), reply.usage.completion_tokens)
        for entry in content:
            self.assertLessEqual(entry.logprob, 0)
            self.assertEqual(len(entry.top_logprobs), 3)
            self.assertEqual(entry.top_logprobs[0].token, entry.token, "greedy picks the most likely token")
        legacy = self.client.completions.create(model=self.model, prompt="The Lord is", max_tokens=3, temperature=0, logprobs=2)
        self.assertEqual(len(legacy.choices[0].logprobs.tokens), legacy.usage.completion_tokens)
        self.assertEqual(len(legacy.choices[0].logprobs.top_logprobs[0]), 2)

    def test_stop_strings(self):
        whole = self.chat(max_tokens=16, temperature=0).choices[0].message.content
        self.assertGreater(len(whole), 6)
        stop = whole[3:6]
        cut = self.chat(max_tokens=16, temperature=0, stop=[stop, "\u2603never"])
        self.assertEqual(cut.choices[0].message.content, whole[:whole.index(stop)])
        self.assertEqual(cut.choices[0].finish_reason, "stop")

    def test_error_statuses(self):
        with self.assertRaises(openai.BadRequestError) as bad:
            self.chat(n=2)
        self.assertEqual(bad.exception.body["param"], "n")
        with self.assertRaises(openai.BadRequestError):
            self.chat(temperature=5)
        with self.assertRaises(openai.NotFoundError):
            self.client.chat.completions.create(model="no-such-model", messages=[{"role": "user", "content": "hi"}])
        with self.assertRaises(openai.NotFoundError):
            self.client.get("/nothing", cast_to=object)
        if KEY != "none":
            with self.assertRaises(openai.AuthenticationError):
                client(api_key="wrong").models.list()
        big = httpx.post(BASE + "/v1/completions", headers={"Authorization": f"Bearer {KEY}"},
                         json={"model": self.model, "prompt": "x" * (5 << 20)}, timeout=30)
        self.assertEqual(big.status_code, 413)
        self.assertEqual(set(big.json()["error"]), {"message", "type", "param", "code"})

    @unittest.skipUnless(LOOPING, "needs a server whose replies never end by themselves")
    def test_disconnect_frees_the_slot(self):
        stream = self.chat(max_tokens=100000, stream=True)
        for count, _ in enumerate(stream):
            if count == 5:
                break
        stream.close()
        self.assertTrue(wait_until(lambda: health()["slots_busy"] == 0), health())

    @unittest.skipUnless(LOOPING, "needs a server whose replies never end by themselves")
    def test_busy_server_answers_503(self):
        state = health()
        room = state["slots_total"] + state["queue_limit"]
        streams = [self.chat(max_tokens=100000, stream=True) for _ in range(state["slots_total"])]
        try:
            for stream in streams:
                next(iter(stream))
            queued = concurrent.futures.ThreadPoolExecutor(max_workers=room)
            waiting = [queued.submit(self.chat, max_tokens=1) for _ in range(state["queue_limit"])]
            self.assertTrue(wait_until(lambda: health()["queue_length"] == state["queue_limit"]), health())
            with self.assertRaises(openai.InternalServerError) as busy:
                self.chat(max_tokens=1)
            self.assertEqual(busy.exception.status_code, 503)
            self.assertEqual(busy.exception.response.headers.get("retry-after"), "2")
        finally:
            for stream in streams:
                stream.close()
        for future in waiting:
            self.assertEqual(future.result(timeout=30).usage.completion_tokens, 1)
        queued.shutdown()

    def test_concurrent_streams(self):
        def one(index):
            chunks = list(self.chat(content=f"Question {index}?", max_tokens=10, temperature=0, stream=True,
                                    stream_options={"include_usage": True}))
            return chunks[-1].usage.completion_tokens
        with concurrent.futures.ThreadPoolExecutor(max_workers=3) as pool:
            counts = list(pool.map(one, range(3)))
        self.assertTrue(all(0 < n <= 10 for n in counts), counts)


if __name__ == "__main__":
    unittest.main()
