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
    # 2: review state on media (category, its source, reviewed), browse keys kept by triggers
    # (copies, first path), sort/filter indexes and a full-text search table (issue 3)
    2: """
    ALTER TABLE media ADD COLUMN category INTEGER;           -- scheme value; NULL uncategorised
    ALTER TABLE media ADD COLUMN category_source TEXT;       -- analyst, import:..., known:...
    ALTER TABLE media ADD COLUMN reviewed INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE media ADD COLUMN copies INTEGER NOT NULL DEFAULT 0;  -- files with this content
    ALTER TABLE media ADD COLUMN first_path TEXT;            -- first location seen, for sorting

    UPDATE media SET
        copies = (SELECT COUNT(*) FROM files f WHERE f.media_id = media.id),
        first_path = (SELECT f.path FROM files f WHERE f.media_id = media.id ORDER BY f.id LIMIT 1);

    -- Keyset paging: one index per sort key, holding the tie-breaker id and every column the
    -- grid filters on or shows, so a page (filtered or not) is read from the index alone and
    -- costs at most one scan of a narrow index, never a walk over the wide media rows.
    CREATE INDEX media_browse_id ON media(id, status, file_type, category, reviewed, copies);
    CREATE INDEX media_browse_copies
        ON media(copies, id, status, file_type, category, reviewed);
    CREATE INDEX media_browse_taken
        ON media(ifnull(taken_at, '~'), id, status, file_type, category, reviewed, copies);
    CREATE INDEX media_browse_camera
        ON media(ifnull(camera_make, '~') || ' ' || ifnull(camera_model, '~'), id, status,
                 file_type, category, reviewed, copies);
    CREATE INDEX media_browse_path
        ON media(ifnull(first_path, ''), id, status, file_type, category, reviewed, copies);
    -- Counting a filter reads this one.
    CREATE INDEX media_browse_filter ON media(reviewed, status, category, file_type);

    CREATE TRIGGER files_count_copies AFTER INSERT ON files WHEN NEW.media_id IS NOT NULL
    BEGIN
        UPDATE media SET copies = copies + 1, first_path = ifnull(first_path, NEW.path)
        WHERE id = NEW.media_id;
        INSERT INTO media_search (media_id, text) VALUES (NEW.media_id, NEW.path);
    END;
    CREATE TRIGGER files_recount_copies AFTER UPDATE OF media_id ON files
    WHEN NEW.media_id IS NOT OLD.media_id
    BEGIN
        UPDATE media SET copies = copies - 1 WHERE id = OLD.media_id;
        UPDATE media SET copies = copies + 1, first_path = ifnull(first_path, NEW.path)
        WHERE id = NEW.media_id;
        INSERT INTO media_search (media_id, text) SELECT NEW.media_id, NEW.path
        WHERE NEW.media_id IS NOT NULL;
    END;

    -- Text search over every path and the metadata an analyst types: camera, serial, date,
    -- type, status, digests. One row per path or per media; media_id repeats.
    CREATE VIRTUAL TABLE media_search USING fts5(
        media_id UNINDEXED, text, tokenize = "unicode61 remove_diacritics 2"
    );
    CREATE TRIGGER media_search_metadata AFTER INSERT ON media
    BEGIN
        INSERT INTO media_search (media_id, text) VALUES (NEW.id,
            ifnull(NEW.camera_make, '') || ' ' || ifnull(NEW.camera_model, '') || ' '
            || ifnull(NEW.camera_serial, '') || ' ' || ifnull(NEW.taken_at, '') || ' '
            || ifnull(NEW.file_type, '') || ' ' || NEW.status || ' ' || ifnull(NEW.reason, '')
            || ' ' || NEW.md5 || ' ' || NEW.sha1 || ' ' || NEW.sha256);
    END;
    INSERT INTO media_search (media_id, text) SELECT id,
        ifnull(camera_make, '') || ' ' || ifnull(camera_model, '') || ' '
        || ifnull(camera_serial, '') || ' ' || ifnull(taken_at, '') || ' '
        || ifnull(file_type, '') || ' ' || status || ' ' || ifnull(reason, '')
        || ' ' || md5 || ' ' || sha1 || ' ' || sha256 FROM media;
    INSERT INTO media_search (media_id, text) SELECT media_id, path FROM files
        WHERE media_id IS NOT NULL;
    """,
    # 4: known material: matches of media against the hash library and imported case packages,
    # kept apart from the analyst's own category (issue 5)
    4: """
    CREATE TABLE known_matches (
        id INTEGER PRIMARY KEY,
        media_id INTEGER NOT NULL REFERENCES media(id),
        origin TEXT NOT NULL,                -- library (a hash set) or package (a case package)
        set_name TEXT NOT NULL,
        set_source_sha256 TEXT,              -- SHA-256 of the file the set or package came from
        source TEXT,                         -- that file's path when it was imported
        purpose TEXT NOT NULL DEFAULT 'known',  -- known, or known_good (NSRL)
        kind TEXT NOT NULL,                  -- exact, or perceptual (probably known: confirm)
        matched_on TEXT NOT NULL,            -- md5, sha1, sha256, pdq, phash
        distance INTEGER NOT NULL DEFAULT 0, -- Hamming bits for perceptual matches
        scheme TEXT,                         -- category scheme of the set (US, UK, ...)
        category INTEGER,
        series TEXT,
        victim_identified INTEGER,
        offender_identified INTEGER,
        is_distributed INTEGER,
        tags TEXT,
        comments TEXT,
        matched_at TEXT NOT NULL
    );
    CREATE INDEX known_matches_media ON known_matches(media_id, kind);

    CREATE TABLE imported_packages (
        id INTEGER PRIMARY KEY,
        package_sha256 TEXT NOT NULL UNIQUE,
        file_name TEXT NOT NULL,
        source_case_id TEXT,
        organization TEXT,
        created_at TEXT,
        signer TEXT,                         -- Ed25519 key fingerprint; NULL when unsigned
        trusted INTEGER NOT NULL DEFAULT 0,  -- signed by the key the analyst named with --trust
        imported_at TEXT NOT NULL,
        imported_by TEXT NOT NULL,
        summary TEXT                         -- JSON counts and conflicts
    );

    -- What another agency's case package says about a content; kept whole, matched by SHA-256.
    CREATE TABLE package_records (
        id INTEGER PRIMARY KEY,
        package_id INTEGER NOT NULL REFERENCES imported_packages(id),
        sha256 TEXT NOT NULL,
        md5 TEXT,
        sha1 TEXT,
        scheme TEXT,
        category INTEGER,
        series TEXT,
        victim_identified INTEGER,
        offender_identified INTEGER,
        is_distributed INTEGER,
        tags TEXT,
        comments TEXT,
        work TEXT                            -- JSON: their clues, entities and links
    );
    CREATE INDEX package_records_sha256 ON package_records(sha256);
    """,
    # 5: investigation: clues with regions, tags, entities (victim, series, offender, location),
    # links from media to entities, victims appearing in series (issue 4; see docs/architecture.md)
    5: """
    CREATE TABLE clues (
        id INTEGER PRIMARY KEY,
        media_id INTEGER NOT NULL REFERENCES media(id),
        kind TEXT NOT NULL,                  -- key from resources/clue_kinds.json
        label TEXT NOT NULL,
        note TEXT NOT NULL DEFAULT '',
        -- optional rectangle in image pixels of the picture as displayed (orientation applied)
        region_x INTEGER, region_y INTEGER, region_w INTEGER, region_h INTEGER,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        CHECK ((region_x IS NULL) = (region_w IS NULL)),
        CHECK (region_w IS NULL OR (region_w > 0 AND region_h > 0 AND region_x >= 0
                                    AND region_y >= 0))
    );
    CREATE INDEX clues_media ON clues(media_id);
    CREATE INDEX clues_kind ON clues(kind);

    CREATE TABLE tags (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE COLLATE NOCASE
    );
    CREATE TABLE media_tags (
        media_id INTEGER NOT NULL REFERENCES media(id),
        tag_id INTEGER NOT NULL REFERENCES tags(id),
        added_at TEXT NOT NULL,
        PRIMARY KEY (media_id, tag_id)
    );
    CREATE INDEX media_tags_tag ON media_tags(tag_id);

    -- Victims, series, offenders and locations in one table; columns a kind does not use stay NULL.
    CREATE TABLE entities (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('victim', 'series', 'offender', 'location')),
        name TEXT NOT NULL COLLATE NOCASE,   -- victim reference, series name, offender alias,
                                             -- location name
        status TEXT,                         -- victim: unidentified/identified/safeguarded;
                                             -- offender: unknown/identified/arrested/convicted
        notes TEXT NOT NULL DEFAULT '',
        age_min INTEGER, age_max INTEGER,    -- victim: estimated age range in years
        sex TEXT,                            -- victim: female, male, unknown
        known INTEGER NOT NULL DEFAULT 0,    -- series: 1 when known/solved elsewhere
        country TEXT,                        -- location: ISO 3166 code or name
        latitude REAL, longitude REAL,       -- location
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (kind, name)
    );

    -- A media linked to an entity; series "hold" the media linked to them.
    CREATE TABLE links (
        id INTEGER PRIMARY KEY,
        media_id INTEGER NOT NULL REFERENCES media(id),
        entity_id INTEGER NOT NULL REFERENCES entities(id),
        role TEXT NOT NULL DEFAULT '',
        note TEXT NOT NULL DEFAULT '',
        via_media_id INTEGER REFERENCES media(id),  -- set when made by linking this media's stack
        created_at TEXT NOT NULL,
        UNIQUE (media_id, entity_id)
    );
    CREATE INDEX links_entity ON links(entity_id);

    -- Stack members the analyst opted out of a link: linking the stack again skips them.
    CREATE TABLE link_opt_outs (
        media_id INTEGER NOT NULL REFERENCES media(id),
        entity_id INTEGER NOT NULL REFERENCES entities(id),
        at TEXT NOT NULL,
        PRIMARY KEY (media_id, entity_id)
    );

    CREATE TABLE series_victims (
        series_id INTEGER NOT NULL REFERENCES entities(id),
        victim_id INTEGER NOT NULL REFERENCES entities(id),
        PRIMARY KEY (series_id, victim_id)
    );
    """,
    # 3: near-duplicate groups, kept per strictness (strict, normal, loose)
    3: """
    CREATE TABLE similarity_groups (
        id INTEGER PRIMARY KEY,
        strictness TEXT NOT NULL,            -- strict, normal, loose
        representative_media_id INTEGER NOT NULL REFERENCES media(id),
        size INTEGER NOT NULL
    );
    CREATE INDEX similarity_groups_strictness ON similarity_groups(strictness, size);

    CREATE TABLE similarity_members (
        strictness TEXT NOT NULL,
        media_id INTEGER NOT NULL REFERENCES media(id),
        group_id INTEGER NOT NULL REFERENCES similarity_groups(id) ON DELETE CASCADE,
        matched_media_id INTEGER REFERENCES media(id),  -- the member it is nearest to
        distance INTEGER,                    -- PDQ bits (of 256) to that member
        explanation TEXT,                    -- the edit the hashes point to
        PRIMARY KEY (strictness, media_id)
    );
    CREATE INDEX similarity_members_group ON similarity_members(group_id);

    -- How far grouping has got: media with a larger id are new and still to be queried.
    CREATE TABLE similarity_state (
        strictness TEXT PRIMARY KEY,
        last_media_id INTEGER NOT NULL,
        updated_at TEXT NOT NULL,
        engine TEXT NOT NULL                 -- fingerprint and rule version that made the groups
    );
    """,
    # 6: provenance of investigation rows merged from other agencies' case packages (issue 5)
    6: """
    -- One row per sender's record merged into the case: entity, link, clue, tag, series_victim.
    CREATE TABLE merged_origins (
        id INTEGER PRIMARY KEY,
        row_kind TEXT NOT NULL,              -- entity, link, clue, tag, series_victim
        row_id INTEGER NOT NULL,             -- the local row: entities.id, links.id, clues.id;
                                             -- for tag the media id, for series_victim the series
        source_case_id TEXT NOT NULL,        -- the sending case (its case id)
        organization TEXT NOT NULL DEFAULT '',
        original_id TEXT NOT NULL,           -- the sender's key (entity or clue id,
                                             -- sha256:entity id for a link, sha256:tag, ...)
        created INTEGER NOT NULL,            -- 1: the import made the row; 0: it was already here
        sender_record TEXT NOT NULL,         -- JSON: the sender's record as last merged
        sender_hash TEXT NOT NULL,           -- SHA-256 of that record
        local_hash TEXT,                     -- SHA-256 of the local row right after that merge
        first_package_id INTEGER NOT NULL REFERENCES imported_packages(id),
        last_package_id INTEGER NOT NULL REFERENCES imported_packages(id),
        merged_at TEXT NOT NULL,
        UNIQUE (row_kind, source_case_id, original_id)
    );
    CREATE INDEX merged_origins_row ON merged_origins(row_kind, row_id);
    """,
    # 7: videos and animated pictures (issue 13): what the container says, the kept frames'
    # times, the storyboard, and every kept frame's hashes packed one row per video and kind
    7: """
    ALTER TABLE media ADD COLUMN duration REAL;   -- seconds, for videos and animations only

    CREATE TABLE videos (
        media_id INTEGER PRIMARY KEY REFERENCES media(id),
        container TEXT NOT NULL,             -- the demuxer that read it (mov, avi, matroska, gif)
        video_codec TEXT NOT NULL,
        audio_codec TEXT,                    -- NULL: no sound track
        duration REAL,                       -- seconds
        fps REAL,
        coded_width INTEGER NOT NULL,        -- as stored; media.width/height are as shown
        coded_height INTEGER NOT NULL,
        rotation INTEGER NOT NULL DEFAULT 0, -- degrees clockwise that show it upright
        frames_total INTEGER,                -- frames in the stream, when the container says
        frames_decoded INTEGER NOT NULL,
        decoded_until REAL,                  -- the last good time (seconds)
        frame_times BLOB NOT NULL,           -- int32 little-endian ms of each kept frame
        notes TEXT                           -- JSON list: what the frame selection did
    );

    -- Kept apart from videos so that listing and grouping never read the pictures.
    CREATE TABLE video_storyboards (
        media_id INTEGER PRIMARY KEY REFERENCES media(id),
        times BLOB NOT NULL,                 -- int32 little-endian ms of each tile
        strip BLOB NOT NULL,                 -- one JPEG: the tiles left to right
        tile_width INTEGER NOT NULL,
        tile_height INTEGER NOT NULL
    );

    -- Every kept frame's hashes (the same as a picture's), one row per video and kind.
    CREATE TABLE frame_hashes (
        media_id INTEGER NOT NULL REFERENCES media(id),
        algorithm TEXT NOT NULL,
        variant TEXT NOT NULL,
        frames BLOB NOT NULL,                -- uint16 little-endian frame numbers
        hashes BLOB NOT NULL,                -- the hashes' bytes end to end, in that order
        qualities BLOB NOT NULL,             -- uint8 each; 255 where the algorithm has none
        PRIMARY KEY (media_id, algorithm, variant)
    );
    CREATE INDEX frame_hashes_kind ON frame_hashes(algorithm, variant);
    """,
    # 8: videos in near-duplicate groups (issue 13): the time of the matching frame on each
    # member, and containment (a clip in its video, a video in a compilation, a picture that is
    # a frame of a video) kept apart from membership, so a compilation never chains groups
    8: """
    ALTER TABLE similarity_members ADD COLUMN time REAL;          -- seconds: this member's
                                                                  -- matching frame (NULL: picture)
    ALTER TABLE similarity_members ADD COLUMN matched_time REAL;  -- seconds: the matched member's

    CREATE TABLE similarity_contains (
        strictness TEXT NOT NULL,
        container_id INTEGER NOT NULL REFERENCES media(id),  -- the video it is shown inside
        media_id INTEGER NOT NULL REFERENCES media(id),      -- what is shown inside it
        container_start REAL NOT NULL,       -- seconds of the container showing it
        container_end REAL NOT NULL,
        media_start REAL,                    -- seconds of the media shown (NULL: a picture)
        media_end REAL,
        distance INTEGER NOT NULL,           -- median PDQ bits of the matching frames
        frames INTEGER NOT NULL,             -- matching frame pairs
        explanation TEXT,
        PRIMARY KEY (strictness, container_id, media_id)
    );
    CREATE INDEX similarity_contains_media ON similarity_contains(strictness, media_id);
    """,
    # 9: the grouping's packed copy of the near-duplicate engine's hashes (issue 19): derived
    # from perceptual_hashes, read in blocks so a case of a million pictures is read in a
    # second, not parsed from twenty million hex rows at every grouping run
    9: """
    CREATE TABLE similarity_cache (
        kind TEXT NOT NULL,                  -- coarse, masked, crop, views (store.groups)
        first_media_id INTEGER NOT NULL,     -- the block holds every row of its kind of
        last_media_id INTEGER NOT NULL,      -- the media from first to last, both included
        ids BLOB NOT NULL,                   -- int64 media ids
        words BLOB NOT NULL,                 -- uint64 words, a row of the kind's length each
        quality BLOB NOT NULL,               -- int64 quality (detail) column
        PRIMARY KEY (kind, first_media_id)
    );
    """,
    # 10: known video (issue 13): a perceptual match found on a video's frames says where
    10: """
    ALTER TABLE known_matches ADD COLUMN time REAL;        -- seconds: the case media's frame
    ALTER TABLE known_matches ADD COLUMN known_time REAL;  -- seconds: the known video's frame
    ALTER TABLE known_matches ADD COLUMN frames INTEGER;   -- frames of the case media matched
    """,
    # 11: video review (issue 14): a clue on a video frame carries the frame's time; the grid
    # sorts by duration from its own covering index; a video's loudness strip is kept once
    # measured (it is computed when the video is first opened in the viewer)
    11: """
    ALTER TABLE clues ADD COLUMN frame_time REAL;   -- seconds into the video; NULL: a picture
    ALTER TABLE videos ADD COLUMN loudness BLOB;    -- core.loudness strip, NULL until measured
    CREATE INDEX media_browse_duration
        ON media(ifnull(duration, -1), id, status, file_type, category, reviewed, copies);
    """,
}
