use super::*;

fn failure(n: u64) -> HistoryEntry {
    HistoryEntry {
        fingerprint: format!("{:016x}", n % 7),
        title: format!("[auto-heal] io: failure number {n}"),
        trace_id: format!("{n:032x}"),
        app_version: "0.1.0".into(),
        ..HistoryEntry::new(
            1_700_000_000_000 + n,
            EntryKind::Failure,
            HistoryOutcome::Queued,
        )
    }
}

fn trace_numbers(read: &HistoryRead) -> Vec<u64> {
    read.entries
        .iter()
        .map(|e| u64::from_str_radix(&e.trace_id, 16).unwrap())
        .collect()
}

#[test]
fn entries_read_back_in_the_order_they_were_appended() {
    let dir = tempfile::tempdir().unwrap();
    let history = History::open(dir.path());
    assert!(history.read().unwrap().entries.is_empty(), "no file yet");
    for n in 0..5 {
        history.append(&failure(n)).unwrap();
    }
    let read = history.read().unwrap();
    assert_eq!(trace_numbers(&read), [0, 1, 2, 3, 4]);
    assert_eq!(read.skipped, 0);
    assert_eq!(read.entries[3], failure(3));
}

#[test]
fn a_record_torn_by_a_crash_is_skipped_and_the_rest_reads_back_intact() {
    let dir = tempfile::tempdir().unwrap();
    let history = History::open(dir.path());
    for n in 0..3 {
        history.append(&failure(n)).unwrap();
    }
    // A writer killed mid-record: half a line, no newline.
    let torn = failure(99).to_line();
    let mut file = OpenOptions::new()
        .append(true)
        .open(history.path())
        .unwrap();
    file.write_all(&torn[..torn.len() / 2]).unwrap();
    drop(file);
    let read = history.read().unwrap();
    assert_eq!(trace_numbers(&read), [0, 1, 2]);
    assert_eq!(read.skipped, 1);

    // Another process appends after the torn record, on the same line: its record counts.
    history.append(&failure(3)).unwrap();
    history.append(&failure(4)).unwrap();
    let read = history.read().unwrap();
    assert_eq!(trace_numbers(&read), [0, 1, 2, 3, 4]);
    assert_eq!(read.skipped, 1);
}

#[test]
fn threads_appending_at_once_all_land_whole() {
    let dir = tempfile::tempdir().unwrap();
    std::thread::scope(|scope| {
        for thread in 0..8u64 {
            let history = History::open(dir.path());
            scope.spawn(move || {
                for n in 0..250 {
                    history.append(&failure(thread * 1000 + n)).unwrap();
                }
            });
        }
    });
    let read = History::open(dir.path()).read().unwrap();
    assert_eq!(read.skipped, 0);
    let mut numbers = trace_numbers(&read);
    numbers.sort_unstable();
    let expected: Vec<u64> = (0..8)
        .flat_map(|t| (0..250).map(move |n| t * 1000 + n))
        .collect();
    assert_eq!(numbers, expected);
}

#[test]
fn the_count_bound_keeps_the_newest_entries() {
    let dir = tempfile::tempdir().unwrap();
    let history = History::open(dir.path()).with_bounds(50, DEFAULT_MAX_BYTES);
    for n in 0..200 {
        history.append(&failure(n)).unwrap();
    }
    let read = history.read().unwrap();
    let numbers = trace_numbers(&read);
    assert!(numbers.len() <= 50, "{} entries kept", numbers.len());
    assert!(numbers.len() >= 45, "{} entries kept", numbers.len());
    assert_eq!(numbers.last(), Some(&199), "the newest is kept");
    assert!(
        numbers.windows(2).all(|w| w[1] == w[0] + 1),
        "the newest, in order, without gaps: {numbers:?}"
    );
}

#[test]
fn the_byte_bound_keeps_the_file_small() {
    let dir = tempfile::tempdir().unwrap();
    let history = History::open(dir.path()).with_bounds(DEFAULT_MAX_ENTRIES, 8 * 1024);
    for n in 0..500 {
        history.append(&failure(n)).unwrap();
    }
    let size = std::fs::metadata(history.path()).unwrap().len();
    assert!(size <= 8 * 1024, "{size} bytes");
    let numbers = trace_numbers(&history.read().unwrap());
    assert_eq!(numbers.last(), Some(&499));
    assert!(numbers.len() > 20, "{} entries kept", numbers.len());
}

#[test]
fn compaction_drops_torn_lines_and_keeps_entries_within_bounds() {
    let dir = tempfile::tempdir().unwrap();
    let history = History::open(dir.path()).with_bounds(10, DEFAULT_MAX_BYTES);
    let mut file = std::fs::File::create(history.path()).unwrap();
    for n in 0..30 {
        file.write_all(&failure(n).to_line()).unwrap();
        file.write_all(b"not json\n").unwrap();
    }
    drop(file);
    assert!(history.compact().unwrap());
    let read = history.read().unwrap();
    assert_eq!(read.skipped, 0);
    assert_eq!(trace_numbers(&read), (21..30).collect::<Vec<_>>());
    assert!(!history.compact().unwrap(), "within bounds: left alone");
}
