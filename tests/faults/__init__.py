"""The fault suite: hostile input and faults, each bounded so a regression fails, never hangs.

Every reader and every command that meets untrusted bytes adds its hostile cases here. The pattern:

- A hostile *file* that ingest meets (a picture, a video, any evidence): add a `Hostile` to
  `HOSTILE_FILES` in `hostile_files.py` with a function that writes it and the status (and a
  word of the reason) it must be recorded with. `test_hostile_files.py` ingests them all
  together, once, with `vigil ingest` in a child process under a memory cap and a timeout, and
  checks every file's row.
- A hostile *command* situation (a damaged case, a full disk, a file swapped for a pipe, a
  hostile package or hash set, a report of hostile names): a test that runs the command with
  `bounded.run_vigil(...)` (a child process: memory cap, timeout, the whole process group killed
  when time is up) or, for quick in-process calls, inside `bounded.time_limit(seconds)`, then
  `bounded.assert_one_sentence(result)`: an exit code, one line on stderr, no traceback.

Make hostile files small and fast to write (a crafted header, not a real gigabyte); a case
should cost well under a second of the suite.
"""
