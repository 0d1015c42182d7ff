"""Builds EdgeSoul legacy stores (`edgesoul.db`) with the original's exact DDL and encodings."""

import json
import sqlite3
from pathlib import Path

# Dumped from a store built by the original code (shared/contracts/legacy-stores.md).
DDL = """
CREATE TABLE user_profiles (
  id INTEGER NOT NULL, user_id VARCHAR(255) NOT NULL, name VARCHAR(255), gender VARCHAR(50),
  empathy_level INTEGER, humor_level INTEGER, formality_level INTEGER, verbosity_level INTEGER,
  proactiveness_level INTEGER, preferred_tone VARCHAR(50), response_style VARCHAR(50),
  emoji_usage BOOLEAN, voice_enabled BOOLEAN, voice_speed FLOAT, voice_pitch FLOAT,
  auto_speak_responses BOOLEAN, interests JSON, dislikes JSON, communication_patterns JSON,
  total_conversations INTEGER, total_messages INTEGER, avg_session_length FLOAT,
  created_at DATETIME, updated_at DATETIME, PRIMARY KEY (id)
);
CREATE UNIQUE INDEX ix_user_profiles_user_id ON user_profiles (user_id);
CREATE INDEX idx_user_id ON user_profiles (user_id);
CREATE TABLE memories (
  id INTEGER NOT NULL, memory_id VARCHAR(255) NOT NULL, user_id VARCHAR(255) NOT NULL,
  memory_type VARCHAR(50) NOT NULL, content TEXT NOT NULL, context TEXT, confidence FLOAT,
  importance FLOAT, access_count INTEGER, memory_metadata JSON, created_at DATETIME,
  last_accessed DATETIME, PRIMARY KEY (id), UNIQUE (memory_id),
  FOREIGN KEY(user_id) REFERENCES user_profiles (user_id)
);
CREATE INDEX idx_user_memory_type ON memories (user_id, memory_type);
CREATE INDEX ix_memories_user_id ON memories (user_id);
CREATE INDEX ix_memories_created_at ON memories (created_at);
CREATE INDEX ix_memories_memory_type ON memories (memory_type);
CREATE INDEX idx_created_at ON memories (created_at);
CREATE TABLE emotional_patterns (
  id INTEGER NOT NULL, user_id VARCHAR(255) NOT NULL, emotion VARCHAR(50) NOT NULL,
  frequency INTEGER, avg_intensity FLOAT, triggers JSON, time_patterns JSON, trend VARCHAR(50),
  last_occurrence DATETIME, PRIMARY KEY (id),
  FOREIGN KEY(user_id) REFERENCES user_profiles (user_id)
);
CREATE INDEX ix_emotional_patterns_user_id ON emotional_patterns (user_id);
CREATE UNIQUE INDEX idx_user_emotion ON emotional_patterns (user_id, emotion);
CREATE TABLE conversation_contexts (
  id INTEGER NOT NULL, user_id VARCHAR(255) NOT NULL, session_id VARCHAR(255) NOT NULL,
  messages JSON, topics JSON, current_emotion VARCHAR(50), emotion_trajectory JSON,
  started_at DATETIME, last_activity DATETIME, PRIMARY KEY (id),
  FOREIGN KEY(user_id) REFERENCES user_profiles (user_id)
);
CREATE UNIQUE INDEX ix_conversation_contexts_user_id ON conversation_contexts (user_id);
CREATE INDEX idx_user_context ON conversation_contexts (user_id);
"""


def dumps(value) -> str:
    """json.dumps with default settings, as SQLAlchemy's JSON type wrote it."""
    return json.dumps(value)


def profile_row(user_id: str, **values) -> dict:
    row = {
        "user_id": user_id,
        "name": None,
        "gender": "not_set",
        "empathy_level": 75,
        "humor_level": 50,
        "formality_level": 40,
        "verbosity_level": 60,
        "proactiveness_level": 50,
        "preferred_tone": "friendly",
        "response_style": "balanced",
        "emoji_usage": 1,
        "voice_enabled": 1,
        "voice_speed": 1.0,
        "voice_pitch": 1.0,
        "auto_speak_responses": 0,
        "interests": "[]",
        "dislikes": "[]",
        "communication_patterns": "{}",
        "total_conversations": 0,
        "total_messages": 0,
        "avg_session_length": 0.0,
        "created_at": "2025-11-02 08:20:03.532688",
        "updated_at": "2025-11-02 08:20:03.532688",
    }
    return {**row, **values}


def memory_row(memory_id: str, user_id: str, **values) -> dict:
    row = {
        "memory_id": memory_id,
        "user_id": user_id,
        "memory_type": "preference",
        "content": "User prefers humor: high",
        "context": "i love jokes",
        "confidence": 0.8,
        "importance": 0.7,
        "access_count": 0,
        "memory_metadata": "{}",
        "created_at": "2025-11-02 09:20:03.532688",
        "last_accessed": "2025-11-02 09:20:03.532688",
    }
    return {**row, **values}


def pattern_row(user_id: str, emotion: str, **values) -> dict:
    row = {
        "user_id": user_id,
        "emotion": emotion,
        "frequency": 1,
        "avg_intensity": 62.0,
        "triggers": "[]",
        "time_patterns": dumps({"09:00": 1}),
        "trend": "stable",
        "last_occurrence": "2025-11-02 09:20:03.532688",
    }
    return {**row, **values}


def context_row(user_id: str, **values) -> dict:
    row = {
        "user_id": user_id,
        "session_id": user_id,
        "messages": "[]",
        "topics": "[]",
        "current_emotion": None,
        "emotion_trajectory": "[]",
        "started_at": "2025-11-02 09:20:00.000000",
        "last_activity": "2025-11-02 09:21:00.000000",
    }
    return {**row, **values}


def build_store(
    path: Path,
    *,
    profiles=(),
    memories=(),
    patterns=(),
    contexts=(),
    wal: bool = False,
    ddl: str = DDL,
    foreign_keys: bool = True,
) -> Path:
    connection = sqlite3.connect(path)
    try:
        if wal:
            connection.execute("PRAGMA journal_mode=WAL")
        connection.executescript(ddl)
        connection.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
        for table, rows in (
            ("user_profiles", profiles),
            ("memories", memories),
            ("emotional_patterns", patterns),
            ("conversation_contexts", contexts),
        ):
            for row in rows:
                columns = ", ".join(row)
                marks = ", ".join("?" for _ in row)
                connection.execute(
                    f"INSERT INTO {table} ({columns}) VALUES ({marks})", list(row.values())
                )
        connection.commit()
    finally:
        connection.close()
    return path
