"""Huey's Redis and SQLite queues, each job stored with the request id it was enqueued under.

A job's message is Huey's own (`huey.registry.Message`) paired with the id: `(message, id)`.
The consumer reads both that and a bare message (enqueued before this existed), and binds the
id while the job runs (config/jobs.py), so the job's log lines carry its request's id and a
retry keeps it. Deploy consumers before web servers: an older consumer reads bare messages only.
"""

from huey import RedisHuey as _RedisHuey
from huey import SqliteHuey as _SqliteHuey

from config import requestid


class RequestIdMixin:
    def serialize_task(self, task):
        message = self._registry.create_message(task)
        request_id = getattr(task, "request_id", None) or requestid.current()
        return self.serializer.serialize((message, request_id) if request_id else message)

    def deserialize_task(self, data):
        payload = self.serializer.deserialize(data)
        request_id = None
        if type(payload) is tuple:  # (message, request id); a bare Message is its own type
            payload, request_id = payload
        task = self._registry.create_task(payload)
        task.request_id = request_id
        return task


class RedisHuey(RequestIdMixin, _RedisHuey):
    pass


class SqliteHuey(RequestIdMixin, _SqliteHuey):
    pass
