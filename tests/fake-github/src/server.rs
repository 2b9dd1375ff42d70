//! The listener and its connections: one thread accepts, one thread serves each connection
//! (keep-alive, so a client's pooled connection is reused), faults are applied per request,
//! and dropping the server stops accepting, closes every connection and joins the threads
//! within a bound.

use std::io::BufReader;
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::faults::{FaultAction, FaultRule, action, take_fault};
use super::http::{Exchange, Incoming, read_request, write_reply};
use super::routes::{add_common_headers, handle};
use super::state::State;

/// How long an idle keep-alive connection stays open.
const IDLE_TIMEOUT: Duration = Duration::from_secs(30);
/// How long dropping the fake waits for its threads.
const JOIN_BOUND: Duration = Duration::from_secs(2);
/// How many bytes past the body a truncated reply announces.
const TRUNCATED_BY: usize = 512;

/// What the threads share.
#[derive(Debug)]
pub(crate) struct Shared {
    state: Mutex<State>,
    /// Signalled when the fault rules or the listening state change.
    changed: Condvar,
    stopping: AtomicBool,
    stop_flag: Mutex<bool>,
    stop_signal: Condvar,
    pub(crate) base: String,
    pub(crate) address: SocketAddr,
}

impl Shared {
    /// The state, even if a thread panicked while holding it.
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn stopping(&self) -> bool {
        self.stopping.load(Ordering::SeqCst)
    }

    /// Wait up to `duration`; `true` when the fake is stopping.
    fn pause(&self, duration: Duration) -> bool {
        let guard = self
            .stop_flag
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let (stopped, _) = self
            .stop_signal
            .wait_timeout_while(guard, duration, |stopped| !*stopped)
            .unwrap_or_else(PoisonError::into_inner);
        *stopped
    }

    fn refusing(&self) -> bool {
        self.lock()
            .faults
            .iter()
            .any(FaultRule::refuses_connections)
    }

    fn set_listening(&self, listening: bool) {
        self.lock().listening = listening;
        self.changed.notify_all();
    }
}

struct Connection {
    stream: TcpStream,
    thread: JoinHandle<()>,
}

/// The running server.
pub(crate) struct Server {
    shared: Arc<Shared>,
    acceptor: Option<JoinHandle<()>>,
    connections: Arc<Mutex<Vec<Connection>>>,
}

impl Server {
    /// Listen on a free port of 127.0.0.1.
    pub(crate) fn start() -> std::io::Result<Server> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let address = listener.local_addr()?;
        let shared = Arc::new(Shared {
            state: Mutex::new(State::new()),
            changed: Condvar::new(),
            stopping: AtomicBool::new(false),
            stop_flag: Mutex::new(false),
            stop_signal: Condvar::new(),
            base: format!("http://{address}"),
            address,
        });
        let connections = Arc::new(Mutex::new(Vec::new()));
        let acceptor = {
            let (shared, connections) = (Arc::clone(&shared), Arc::clone(&connections));
            std::thread::Builder::new()
                .name("fake-github-accept".into())
                .spawn(move || accept_loop(&shared, listener, &connections))?
        };
        Ok(Server {
            shared,
            acceptor: Some(acceptor),
            connections,
        })
    }

    pub(crate) fn shared(&self) -> &Shared {
        &self.shared
    }

    /// After the fault rules changed: return once the listening socket is open or closed as
    /// they say (within a few seconds).
    pub(crate) fn sync_listener(&self) {
        let want_listening = !self.shared.refusing();
        if self.shared.lock().listening == want_listening {
            return;
        }
        self.shared.changed.notify_all();
        // A blocking accept notices the change only when a connection arrives.
        let _ = TcpStream::connect_timeout(&self.shared.address, Duration::from_millis(500));
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut state = self.shared.lock();
        while state.listening != want_listening && Instant::now() < deadline {
            state = self
                .shared
                .changed
                .wait_timeout(state, Duration::from_millis(20))
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shared.stopping.store(true, Ordering::SeqCst);
        *self
            .shared
            .stop_flag
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = true;
        self.shared.stop_signal.notify_all();
        self.shared.changed.notify_all();
        let _ = TcpStream::connect_timeout(&self.shared.address, Duration::from_millis(200));
        let deadline = Instant::now() + JOIN_BOUND;
        if let Some(acceptor) = self.acceptor.take() {
            join_until(acceptor, deadline);
        }
        let connections = std::mem::take(
            &mut *self
                .connections
                .lock()
                .unwrap_or_else(PoisonError::into_inner),
        );
        for connection in &connections {
            let _ = connection.stream.shutdown(Shutdown::Both);
        }
        for connection in connections {
            join_until(connection.thread, deadline);
        }
    }
}

/// Join `thread` if it ends before `deadline`; otherwise leave it detached.
fn join_until(thread: JoinHandle<()>, deadline: Instant) {
    while !thread.is_finished() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(2));
    }
    if thread.is_finished() {
        let _ = thread.join();
    }
}

/// Accept until stopped. While connections are refused the listening socket is closed, as on
/// a host where nothing listens; it is bound again, on the same port, when that ends.
fn accept_loop(
    shared: &Arc<Shared>,
    listener: TcpListener,
    connections: &Arc<Mutex<Vec<Connection>>>,
) {
    let mut listener = Some(listener);
    while !shared.stopping() {
        if shared.refusing() {
            if listener.take().is_some() {
                shared.set_listening(false);
            }
            let state = shared.lock();
            let _ = shared
                .changed
                .wait_timeout(state, Duration::from_millis(50));
            continue;
        }
        let Some(active) = &listener else {
            match TcpListener::bind(shared.address) {
                Ok(bound) => {
                    listener = Some(bound);
                    shared.set_listening(true);
                }
                Err(_) => {
                    shared.pause(Duration::from_millis(10));
                }
            }
            continue;
        };
        match active.accept() {
            Ok((stream, _)) if !shared.stopping() && !shared.refusing() => {
                spawn_connection(shared, stream, connections);
            }
            Ok(_) => {}
            Err(_) => {
                shared.pause(Duration::from_millis(5));
            }
        }
    }
}

fn spawn_connection(
    shared: &Arc<Shared>,
    stream: TcpStream,
    connections: &Arc<Mutex<Vec<Connection>>>,
) {
    let Ok(registered) = stream.try_clone() else {
        return;
    };
    let serving = Arc::clone(shared);
    let thread = std::thread::Builder::new()
        .name("fake-github-conn".into())
        .spawn(move || serve_connection(&serving, stream));
    if let Ok(thread) = thread {
        let mut connections = connections.lock().unwrap_or_else(PoisonError::into_inner);
        connections.retain(|c| !c.thread.is_finished());
        connections.push(Connection {
            stream: registered,
            thread,
        });
    }
}

/// Serve requests on one connection until it closes, a fault closes it, or the fake stops.
fn serve_connection(shared: &Shared, stream: TcpStream) {
    let _ = stream.set_read_timeout(Some(IDLE_TIMEOUT));
    let _ = stream.set_nodelay(true);
    let Ok(read_half) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(read_half);
    let mut writer = stream;
    while let Some(Incoming {
        request,
        close_after,
    }) = read_request(&mut reader, &mut writer)
    {
        if shared.stopping() {
            break;
        }
        let fault = {
            let mut state = shared.lock();
            state.requests.push(request.clone());
            take_fault(&mut state.faults, &request.method, &request.path)
        };
        // A rule after handling carries the request out now; its answer is what gets lost.
        let mut handled = fault
            .as_ref()
            .filter(|rule| rule.after_handling)
            .map(|_| handle(&mut shared.lock(), &shared.base, &request));
        let mut answer = || {
            handled
                .take()
                .unwrap_or_else(|| handle(&mut shared.lock(), &shared.base, &request))
        };
        let mut truncated = false;
        let mut reply = match fault.map(|rule| action(&rule.fault, &request.method)) {
            None => answer(),
            Some(FaultAction::Close) => break,
            Some(FaultAction::Hang) => {
                // Until the fake stops or its faults change: then the connection is closed
                // without an answer.
                let generation = shared.lock().fault_generation;
                while !shared.pause(Duration::from_millis(50))
                    && shared.lock().fault_generation == generation
                {}
                break;
            }
            Some(FaultAction::Delay(delay)) => {
                if shared.pause(delay) {
                    break;
                }
                answer()
            }
            Some(FaultAction::Reply(reply)) => reply,
            Some(FaultAction::Truncate(reply)) => {
                truncated = true;
                reply
            }
        };
        {
            let mut state = shared.lock();
            add_common_headers(&mut state, &mut reply, &request.path, shared.address.port());
            state.exchanges.push(Exchange {
                request: request.clone(),
                status: reply.status,
                body: reply.body.clone(),
            });
        }
        let declared = reply.body.len() + if truncated { TRUNCATED_BY } else { 0 };
        if write_reply(&mut writer, &reply, declared, close_after).is_err()
            || close_after
            || truncated
        {
            break;
        }
    }
    let _ = writer.shutdown(Shutdown::Both);
}
