"""Numbered schema migrations of a case file. Never edit one that has shipped; add the next."""

from __future__ import annotations

# Migration number -> SQL. Applied in number order, each once (recorded in schema_migrations);
# the highest number is the schema version, kept in PRAGMA user_version too.
MIGRATIONS: dict[int, str] = {
    # 1: case file, evidence locations, distinct media, hashes, audit log
    1: """
    CREATE TABLE case_info (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );

    CREATE TABLE sources (
        id INTEGER PRIMARY KEY,
        path_raw BLOB NOT NULL UNIQUE,       -- bytes as the OS gave them
        path TEXT NOT NULL,                  -- for display (undecodable bytes escaped)
        added_at TEXT NOT NULL
    );

    CREATE TABLE ingest_runs (
        id INTEGER PRIMARY KEY,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        user TEXT NOT NULL,
        tool_version TEXT NOT NULL,
        sources TEXT NOT NULL,               -- JSON list of display paths
        state TEXT NOT NULL,                 -- running, finished, cancelled, interrupted
        summary TEXT                         -- JSON counts
    );

    -- One row per distinct content (the VICS "Media"), keyed by SHA-256.
    CREATE TABLE media (
        id INTEGER PRIMARY KEY,
        sha256 TEXT NOT NULL UNIQUE,
        md5 TEXT NOT NULL,
        sha1 TEXT NOT NULL,
        size INTEGER NOT NULL,
        file_type TEXT,                      -- from content: jpeg, png, ..., mp4, or NULL
        mime_type TEXT,
        status TEXT NOT NULL,                -- ok, unsupported, truncated, corrupt, too_large
        reason TEXT,
        width INTEGER,                       -- as displayed, orientation applied
        height INTEGER,
        frames INTEGER,
        exif TEXT,                           -- JSON of the recorded EXIF fields
        taken_at TEXT,                       -- EXIF original date and time (ISO 8601)
        camera_make TEXT,
        camera_model TEXT,
        camera_serial TEXT,
        gps_lat REAL,
        gps_lon REAL,
        thumbnail BLOB,                      -- JPEG, longest side 256 px
        first_run_id INTEGER REFERENCES ingest_runs(id)
    );
    CREATE INDEX media_md5 ON media(md5);
    CREATE INDEX media_sha1 ON media(sha1);
    CREATE INDEX media_status ON media(status);

    -- One row per place a file was seen (the VICS "MediaFiles"); every file seen has a row.
    CREATE TABLE files (
        id INTEGER PRIMARY KEY,
        source_id INTEGER NOT NULL REFERENCES sources(id),
        path_raw BLOB NOT NULL UNIQUE,
        path TEXT NOT NULL,
        media_id INTEGER REFERENCES media(id),  -- NULL when the file could not be read
        status TEXT NOT NULL,                -- ok, duplicate, unsupported, truncated, corrupt,
                                             -- too_large, unreadable, symlink
        reason TEXT,
        size INTEGER,
        mtime_ns INTEGER,
        ctime_ns INTEGER,
        detected_type TEXT,
        extension_mismatch INTEGER NOT NULL DEFAULT 0,
        link_target TEXT,
        run_id INTEGER NOT NULL REFERENCES ingest_runs(id)
    );
    CREATE INDEX files_media ON files(media_id);
    CREATE INDEX files_status ON files(status);

    CREATE TABLE perceptual_hashes (
        media_id INTEGER NOT NULL REFERENCES media(id),
        algorithm TEXT NOT NULL,             -- phash, dhash, pdq
        variant TEXT NOT NULL DEFAULT 'original',
        hash TEXT NOT NULL,                  -- hex
        quality INTEGER,                     -- PDQ quality 0-100
        PRIMARY KEY (media_id, algorithm, variant)
    );
    CREATE INDEX perceptual_hashes_algorithm ON perceptual_hashes(algorithm, variant);

    -- Append-only, hash-chained record of every ingest and every analyst change.
    CREATE TABLE audit_events (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        user TEXT NOT NULL,
        host TEXT NOT NULL,
        tool_version TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT,
        before TEXT,
        after TEXT,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
    );
    CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    """,
}
