//! Redacted output for the application's own log lines: a [`MakeWriter`] for
//! `tracing_subscriber::fmt` (or any layer that writes through one) that passes every line
//! through a [`Redactor`] before it reaches the terminal or a log file.

use std::io::{self, Write};

use tracing_subscriber::fmt::MakeWriter;

use super::Redactor;

/// Makes writers that redact what is written through them: each event's text is held until
/// the event is written whole, so a secret is never split between two writes and missed.
///
/// ```
/// use tracing_subscriber::prelude::*;
///
/// let redactor = autoheal::redact::Redactor::default().with_env_secrets();
/// let stderr = tracing_subscriber::fmt::layer()
///     .with_writer(autoheal::redact::RedactedWriter::new(std::io::stderr, redactor));
/// let _ = tracing_subscriber::registry().with(stderr).try_init();
/// ```
#[derive(Clone, Debug)]
pub struct RedactedWriter<M> {
    make: M,
    redactor: Redactor,
}

impl<M> RedactedWriter<M> {
    /// Redact everything written through the writers `make` makes.
    pub fn new(make: M, redactor: Redactor) -> Self {
        RedactedWriter { make, redactor }
    }
}

impl<'a, M: MakeWriter<'a>> MakeWriter<'a> for RedactedWriter<M> {
    type Writer = RedactedLine<'a, M::Writer>;

    fn make_writer(&'a self) -> Self::Writer {
        RedactedLine {
            inner: self.make.make_writer(),
            redactor: &self.redactor,
            pending: Vec::new(),
        }
    }
}

/// One event's writer: keeps what is written and writes it, redacted, when flushed or
/// dropped.
#[derive(Debug)]
pub struct RedactedLine<'a, W: Write> {
    inner: W,
    redactor: &'a Redactor,
    pending: Vec<u8>,
}

impl<W: Write> RedactedLine<'_, W> {
    fn write_pending(&mut self) -> io::Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let pending = std::mem::take(&mut self.pending);
        let text = String::from_utf8_lossy(&pending);
        self.inner
            .write_all(self.redactor.redact(&text).as_bytes())?;
        self.inner.flush()
    }
}

impl<W: Write> Write for RedactedLine<'_, W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.pending.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.write_pending()
    }
}

impl<W: Write> Drop for RedactedLine<'_, W> {
    fn drop(&mut self) {
        // A log line that cannot be written is lost, as it would be without redaction.
        let _ = self.write_pending();
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_secret_written_in_pieces_is_masked_whole() {
        let captured = Captured::default();
        let sink = captured.clone();
        let writer = RedactedWriter::new(move || sink.clone(), Redactor::default());
        {
            let mut line = writer.make_writer();
            line.write_all(b"DEBUG id api=http://bob:hun").unwrap();
            line.write_all(b"ter2@127.0.0.1:5001 token=ghp_").unwrap();
            line.write_all(b"0123456789abcdefghijklmnopqrstuvwxyz\n")
                .unwrap();
        }
        let written = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
        assert_eq!(
            written,
            "DEBUG id api=http://bob:[REDACTED]@127.0.0.1:5001 token=[REDACTED]\n"
        );
    }

    #[test]
    fn tracing_lines_reach_the_writer_redacted() {
        use tracing_subscriber::prelude::*;
        let captured = Captured::default();
        let sink = captured.clone();
        let layer = tracing_subscriber::fmt::layer()
            .with_ansi(false)
            .with_writer(RedactedWriter::new(
                move || sink.clone(),
                Redactor::default(),
            ));
        let subscriber = tracing_subscriber::registry().with(layer);
        tracing::subscriber::with_default(subscriber, || {
            tracing::warn!(url = "https://u:pw-secret-1@example.com", "fetch failed");
        });
        let written = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
        assert!(written.contains("fetch failed"), "{written}");
        assert!(!written.contains("pw-secret-1"), "{written}");
    }
}
