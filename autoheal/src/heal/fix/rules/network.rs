//! The network: connection refused, address in use, timeouts, name resolution, TLS, and HTTP
//! 401/403 from a remote API.

use std::sync::LazyLock;

use regex::Regex;

use super::{
    Finding, Rule, RuleInfo, Signal, Wording, command_line, exact, matched, quote, shell_word,
    signal, weak,
};
use crate::fix::Confidence;
use crate::fix::evidence::{Endpoint, Errno, Evidence};

/// The port of the Kubo (go-ipfs) RPC API.
const KUBO_RPC_PORT: u16 = 5001;

pub(super) static CONNECTION_REFUSED: Rule = Rule {
    info: RuleInfo {
        id: "connection-refused",
        name: "Connection refused",
        symptom: "`Connection refused (os error 111)` (`ECONNREFUSED`; os error 61 on macOS, \
                  10061 on Windows).",
        cause: "Nothing listens on the host and port the program connects to: the service is \
                not running, listens on another port or address, or a firewall rejects the \
                connection.",
        remedy: "Start the service (for the IPFS RPC API on port 5001: `ipfs daemon`), check \
                 what listens (`ss -ltnp 'sport = :PORT'`), or point the program at the right \
                 address.",
    },
    check: connection_refused,
};

/// A refused connection, as each producer words it (ureq, reqwest/hyper and tokio pass
/// std's `io::Error` on: `io: Connection refused (os error 111)`, `tcp connect error:
/// Connection refused (os error 111)`).
pub(super) const CONNECTION_REFUSED_WORDING: &[Wording] = &[
    exact(
        "glibc: strerror(ECONNREFUSED); std: io::ErrorKind::ConnectionRefused",
        "connection refused",
    ),
    exact(
        "Windows: WSAECONNREFUSED (os error 10061)",
        "actively refused",
    ),
];

fn connection_refused(evidence: &Evidence<'_>) -> Option<Finding> {
    let confidence = matched(
        evidence,
        Some(Errno::ConnectionRefused),
        Some("ConnectionRefused"),
        CONNECTION_REFUSED_WORDING,
    )?;
    let endpoint = evidence.endpoint();
    let address = endpoint.as_ref().map(Endpoint::address);
    let port = endpoint.as_ref().and_then(|e| e.port);
    let kubo = port == Some(KUBO_RPC_PORT) || evidence.mentions(&["ipfs daemon"]);
    let title = match &address {
        Some(address) => format!("Connection refused by {}", quote(address)),
        None => "Connection refused".to_string(),
    };
    let cause = if kubo {
        "Nothing listens on the IPFS daemon's RPC API: the daemon (`ipfs daemon`) is not running, \
         or listens on another address."
            .to_string()
    } else {
        "Nothing listens on the address the program connects to: the service is not running, \
         listens on another port or address, or a firewall rejects the connection."
            .to_string()
    };
    let mut finding = Finding::new(title, cause, confidence);
    if kubo {
        finding = finding.step(
            "Start the IPFS daemon: `ipfs daemon` (run `ipfs init` once first on a new machine), then run the command again.",
        );
    } else {
        finding =
            finding.step("Start the service the program connects to, then run the command again.");
    }
    let listening = match port {
        Some(port) => format!(
            "Check what listens on port {port}: {} (empty output: nothing does).",
            quote(&format!("ss -ltnp 'sport = :{port}'"))
        ),
        None => "Check what listens on this machine: `ss -ltnp`.".to_string(),
    };
    let elsewhere = match &address {
        Some(address) if kubo => format!(
            "If the daemon listens elsewhere, its address is in `ipfs config Addresses.API`; pass it with `--api` instead of {}.",
            quote(address)
        ),
        Some(address) => format!(
            "If the service listens elsewhere, point the program at that address instead of {}.",
            quote(address)
        ),
        None => "If the service listens elsewhere, point the program at that address.".to_string(),
    };
    Some(
        finding
            .step(listening)
            .step(elsewhere)
            .step("Inside a container, `127.0.0.1` is the container itself: use the host's address to reach a service on the host."),
    )
}

pub(super) static ADDRESS_IN_USE: Rule = Rule {
    info: RuleInfo {
        id: "address-in-use",
        name: "Address already in use",
        symptom: "`Address already in use (os error 98)` (`EADDRINUSE`; os error 48 on macOS, \
                  10048 on Windows).",
        cause: "Another process (often an earlier instance of the same program) already listens \
                on the port.",
        remedy: "Find the holder (`ss -ltnp 'sport = :PORT'`) and stop it, or pick another \
                 `--port`.",
    },
    check: address_in_use,
};

/// A port already taken, as each producer words it.
pub(super) const ADDRESS_IN_USE_WORDING: &[Wording] = &[
    exact("glibc: strerror(EADDRINUSE)", "address already in use"),
    exact("std: io::ErrorKind::AddrInUse", "address in use"),
    exact(
        "Windows: WSAEADDRINUSE (os error 10048)",
        "only one usage of each socket address",
    ),
];

fn address_in_use(evidence: &Evidence<'_>) -> Option<Finding> {
    let confidence = matched(
        evidence,
        Some(Errno::AddrInUse),
        Some("AddrInUse"),
        ADDRESS_IN_USE_WORDING,
    )?;
    let port = evidence.port();
    let title = match port {
        Some(port) => format!("Address already in use: port {}", quote(&port.to_string())),
        None => "Address already in use".to_string(),
    };
    let finding = Finding::new(
        title,
        "Another process, often an earlier instance of the same program, already listens on \
         the port."
            .to_string(),
        confidence,
    );
    let Some(port) = port else {
        return Some(
            finding
                .step("Find the process that listens on the port: `ss -ltnp`.")
                .step("Stop it, or run the program on another port."),
        );
    };
    let other = port.checked_add(1).unwrap_or(port.saturating_sub(1));
    let another = if evidence.port_argument().is_some() {
        let mut replace_next = false;
        let command = command_line(evidence, |_, arg| {
            if replace_next {
                replace_next = false;
                return other.to_string();
            }
            replace_next = arg == "--port" || arg == "-p";
            if arg.starts_with("--port=") {
                format!("--port={other}")
            } else {
                arg.to_string()
            }
        });
        format!("Or run it on another port: {}.", quote(&command))
    } else {
        format!("Or run it on another port (`--port {other}`).")
    };
    Some(
        finding
            .step(format!(
                "Find the process holding port {port}: {} (or {}).",
                quote(&format!("ss -ltnp 'sport = :{port}'")),
                quote(&format!("lsof -i :{port}"))
            ))
            .step("If it is an earlier instance of this program, stop it (`kill PID` with the PID shown).")
            .step(another),
    )
}

pub(super) static TIMED_OUT: Rule = Rule {
    info: RuleInfo {
        id: "timed-out",
        name: "Timed out",
        symptom: "`timed out`, `Connection timed out (os error 110)` (`ETIMEDOUT`), ureq's \
                  `timeout: connect`, tokio's `deadline has elapsed`, reqwest's and curl's \
                  `operation timed out`; std's read timeout on Linux, `Resource temporarily \
                  unavailable (os error 11)`.",
        cause: "The other side did not answer in time: it is down or overloaded, a firewall \
                drops the packets, or the network path is broken.",
        remedy: "Check that the address answers (`curl -v --max-time 10 URL`), look at \
                 firewalls and proxies, and raise the timeout if the server is merely slow.",
    },
    check: timed_out,
};

/// A timeout, as each producer words it.
pub(super) const TIMED_OUT_WORDING: &[Wording] = &[
    exact("glibc: strerror(ETIMEDOUT)", "connection timed out"),
    exact("tokio: time::error::Elapsed", "deadline has elapsed"),
    exact(
        "reqwest: a request's timeout; curl: [28]",
        "operation timed out",
    ),
    exact(
        "Windows: WSAETIMEDOUT (os error 10060)",
        "did not properly respond after a period of time",
    ),
    // std's `io::ErrorKind::TimedOut` text alone, and words a test runner or a program shares.
    weak("std: io::ErrorKind::TimedOut without a code", "timed out"),
    weak("a program's own words", "did not answer in time"),
];

/// std's words when a read or write timeout (`set_read_timeout`) expires on Unix: EAGAIN,
/// which says only "try again" and so counts when the failing call was reading or waiting.
pub(super) const READ_TIMEOUT_WORDING: &[Wording] = &[weak(
    "std: a read timeout on Linux and macOS (EAGAIN, io::ErrorKind::WouldBlock)",
    "resource temporarily unavailable",
)];

/// Words that say the failing call was reading or waiting for an answer.
const READING: &[&str] = &["read", "recv", "receiv", "wait", "answer", "respon"];

fn timed_out(evidence: &Evidence<'_>) -> Option<Finding> {
    // ureq 3: `Error::Timeout` is `timeout: connect`, `timeout: global`, ...
    let ureq_timeout = evidence.texts().iter().any(|t| t.starts_with("timeout: "));
    let read_timeout = (signal(evidence, READ_TIMEOUT_WORDING).is_some()
        || evidence.kind("WouldBlock"))
        && evidence.mentions(READING);
    let confidence = if ureq_timeout {
        Confidence::High
    } else {
        match matched(
            evidence,
            Some(Errno::TimedOut),
            Some("TimedOut"),
            TIMED_OUT_WORDING,
        ) {
            Some(confidence) => confidence,
            None if read_timeout => Confidence::Medium,
            None => return None,
        }
    };
    let endpoint = evidence.endpoint();
    let title = match &endpoint {
        Some(endpoint) => format!("Timed out talking to {}", quote(&endpoint.address())),
        None => "Timed out".to_string(),
    };
    let probe = match &endpoint {
        Some(endpoint) => format!(
            "Check that it answers at all: {}.",
            quote(&format!(
                "curl -v --max-time 10 {}",
                shell_word(&url_of(endpoint))
            ))
        ),
        None => "Check that the service answers at all, from the same machine.".to_string(),
    };
    Some(
        Finding::new(
            title,
            "The other side did not answer in time: it is down or overloaded, a firewall drops \
             the packets, or the network path is broken."
                .to_string(),
            confidence,
        )
        .step(probe)
        .step("If nothing answers, check firewalls, proxies (`HTTPS_PROXY`) and VPNs between the two machines.")
        .step("If the server is only slow, raise the program's timeout or retry with backoff."),
    )
}

/// A URL for `curl`: the host and port over HTTP(S).
fn url_of(endpoint: &Endpoint) -> String {
    match endpoint.port {
        Some(443) => format!("https://{}/", endpoint.host),
        Some(port) => format!("http://{}:{port}/", endpoint.host),
        None => format!("https://{}/", endpoint.host),
    }
}

pub(super) static DNS_RESOLUTION: Rule = Rule {
    info: RuleInfo {
        id: "dns-resolution",
        name: "Host name could not be resolved",
        symptom: "`failed to lookup address information: Name or service not known`, \
                  `Temporary failure in name resolution`, ureq's `host not found`, hyper's \
                  `dns error`, curl's `Could not resolve host`.",
        cause: "The host name is misspelt, does not exist, or the machine's DNS (resolver, VPN, \
                proxy, offline network) cannot resolve it.",
        remedy: "Check the spelling, try `getent hosts HOST`, and check the resolver \
                 (`/etc/resolv.conf`) and network.",
    },
    check: dns_resolution,
};

/// A name that does not resolve, as each producer words it.
pub(super) const DNS_WORDING: &[Wording] = &[
    exact(
        "std: ToSocketAddrs over getaddrinfo",
        "failed to lookup address information",
    ),
    exact(
        "glibc: gai_strerror(EAI_NONAME)",
        "name or service not known",
    ),
    exact(
        "glibc: gai_strerror(EAI_AGAIN)",
        "temporary failure in name resolution",
    ),
    exact(
        "macOS: gai_strerror(EAI_NONAME)",
        "nodename nor servname provided",
    ),
    exact(
        "Windows: WSAHOST_NOT_FOUND (os error 11001)",
        "no such host is known",
    ),
    exact("ureq 3: Error::HostNotFound", "host not found"),
    exact("hyper-util/reqwest: the resolver's error", "dns error"),
    exact("curl [6] (cargo, git)", "could not resolve host"),
    exact("curl [6]", "couldn't resolve host name"),
    weak("a program's own words", "host name could not be resolved"),
];

fn dns_resolution(evidence: &Evidence<'_>) -> Option<Finding> {
    let confidence = match signal(evidence, DNS_WORDING)? {
        Signal::Exact => Confidence::High,
        Signal::Weak => Confidence::Medium,
    };
    let host = evidence.endpoint().map(|e| e.host);
    let title = match &host {
        Some(host) => format!("Host name could not be resolved: {}", quote(host)),
        None => "Host name could not be resolved".to_string(),
    };
    let lookup = match &host {
        Some(host) => format!(
            "Check the spelling of {}, then resolve it by hand: {}.",
            quote(host),
            quote(&format!("getent hosts {}", shell_word(host)))
        ),
        None => {
            "Check the spelling of the host name, then resolve it by hand: `getent hosts HOST`."
                .to_string()
        }
    };
    Some(
        Finding::new(
            title,
            "The host name is misspelt or does not exist, or this machine cannot resolve names \
             (no network, a broken resolver, a VPN or proxy in the way)."
                .to_string(),
            confidence,
        )
        .step(lookup)
        .step("If no name resolves, check the network and the resolver: `cat /etc/resolv.conf`, `resolvectl status`.")
        .step("Behind a proxy, set `HTTPS_PROXY`; in a container, check its DNS settings."),
    )
}

pub(super) static TLS_CERTIFICATE: Rule = Rule {
    info: RuleInfo {
        id: "tls-certificate",
        name: "TLS certificate rejected",
        symptom: "`invalid peer certificate: UnknownIssuer`, `certificate has expired`, \
                  `certificate verify failed`, `NotValidForName`, curl's `SSL certificate problem`.",
        cause: "The server's certificate is not trusted (self-signed, a private or corporate \
                CA, an incomplete chain), has expired, or is for another name.",
        remedy: "Inspect it (`openssl s_client -connect HOST:443 -servername HOST`); renew an \
                 expired one, install a private CA in the system store, or use the name the \
                 certificate is for.",
    },
    check: tls_certificate,
};

/// A rejected certificate, as each producer words it (rustls 0.23's `Display`; OpenSSL's
/// through native-tls; curl's through cargo and git).
pub(super) const TLS_WORDING: &[Wording] = &[
    exact(
        "rustls: CertificateError::UnknownIssuer",
        "invalid peer certificate: unknownissuer",
    ),
    exact(
        "rustls: CertificateError::ExpiredContext",
        "invalid peer certificate: certificate expired",
    ),
    exact(
        "rustls: CertificateError::Expired",
        "invalid peer certificate: expired",
    ),
    exact(
        "rustls: CertificateError::NotValidForNameContext",
        "invalid peer certificate: certificate not valid for name",
    ),
    exact(
        "rustls: CertificateError::NotValidForName",
        "invalid peer certificate: notvalidforname",
    ),
    exact(
        "rustls (webpki): the server's self-signed certificate is a CA's",
        "causedasendentity",
    ),
    exact("OpenSSL (native-tls)", "certificate verify failed"),
    exact("curl [60]", "ssl certificate problem"),
    weak(
        "rustls: other certificate errors",
        "invalid peer certificate",
    ),
    weak("rustls: an alert from the server", "received fatal alert"),
];

fn tls_certificate(evidence: &Evidence<'_>) -> Option<Finding> {
    let expired = evidence.mentions(&["expired", "not valid yet"]);
    let issuer = evidence.mentions(&[
        "unknownissuer",
        "unknown issuer",
        "causedasendentity",
        "self signed",
        "self-signed",
        "local issuer",
    ]);
    let name = evidence.mentions(&["notvalidforname", "not valid for name", "hostname mismatch"]);
    let tls = evidence.mentions(&[
        "invalid peer certificate",
        "certificate verify failed",
        "ssl certificate problem",
        "invalid certificate",
        "tls handshake",
        "handshake failure",
        "certificate",
    ]);
    if !(tls
        && (expired
            || issuer
            || name
            || evidence.mentions(&["invalid peer certificate", "certificate verify failed"])))
    {
        return None;
    }
    let confidence = match signal(evidence, TLS_WORDING) {
        Some(Signal::Exact) => Confidence::High,
        _ => Confidence::Medium,
    };
    let endpoint = evidence.endpoint();
    let host = endpoint
        .as_ref()
        .map_or("HOST".to_string(), |e| e.host.clone());
    let port = endpoint.as_ref().and_then(|e| e.port).unwrap_or(443);
    let (title, specific) = if expired {
        (
            "TLS certificate expired",
            "The certificate has expired (or the machine's clock is wrong: check `date`); the server's owner must renew it.",
        )
    } else if name {
        (
            "TLS certificate is for another name",
            "The certificate does not cover this host name: connect with a name it lists (the `subjectAltName` shown by openssl).",
        )
    } else if issuer {
        (
            "TLS certificate not trusted",
            "The certificate is signed by an authority this machine does not trust (self-signed, a private or corporate CA): install that CA in the system store (`/usr/local/share/ca-certificates/`, then `sudo update-ca-certificates`), or make sure `ca-certificates` is installed.",
        )
    } else {
        (
            "TLS certificate rejected",
            "Compare the certificate's issuer, dates and names with what the client expects.",
        )
    };
    let title = match &endpoint {
        Some(endpoint) => format!("{title}: {}", quote(&endpoint.host)),
        None => title.to_string(),
    };
    Some(
        Finding::new(
            title,
            "The TLS connection was refused because the server's certificate was not accepted."
                .to_string(),
            confidence,
        )
        .step(format!(
            "Inspect the certificate: {}.",
            quote(&format!(
                "openssl s_client -connect {}:{port} -servername {} </dev/null | openssl x509 -noout -issuer -dates -ext subjectAltName",
                shell_word(&host),
                shell_word(&host)
            ))
        ))
        .step(specific)
        .step("Do not turn certificate checks off: that hides the problem and lets anyone in between read the traffic."),
    )
}

pub(super) static HTTP_UNAUTHORIZED: Rule = Rule {
    info: RuleInfo {
        id: "http-unauthorized",
        name: "HTTP 401/403 from a remote API",
        symptom: "`http status: 401`, `401 Unauthorized`, `403 Forbidden`, `Bad credentials`.",
        cause: "The API did not accept the credentials: the token is missing, expired or \
                revoked (401), or lacks a permission or scope, or a rate limit was hit (403).",
        remedy: "Check that the token variable is set in the program's environment and still \
                 valid, and that it has the permissions the call needs.",
    },
    check: http_unauthorized,
};

/// An API's refusal in its own words, when no status code is in the text (ureq 3's `http
/// status: 401` and reqwest's `HTTP status client error (401 Unauthorized)` are read with
/// their code).
pub(super) const HTTP_WORDING: &[Wording] = &[
    exact("GitHub API: the 401 answer", "bad credentials"),
    weak("GitHub API and others", "requires authentication"),
];

fn http_unauthorized(evidence: &Evidence<'_>) -> Option<Finding> {
    static STATUS: LazyLock<Option<Regex>> = LazyLock::new(|| {
        Regex::new(
            r"(?i)(?:http status:?|status(?: code)?:?|answered|returned|responded with|HTTP/\d(?:\.\d)?)\s+(401|403)\b|\b(401|403)\s+(?:unauthorized|forbidden)\b",
        )
        .ok()
    });
    let captures = STATUS.as_ref().and_then(|regex| evidence.captures(regex));
    let status = captures
        .as_ref()
        .and_then(|c| c.get(1).or_else(|| c.get(2)))
        .map(|m| m.as_str().to_string());
    let words = signal(evidence, HTTP_WORDING);
    let bad_credentials = words == Some(Signal::Exact);
    let requires_authentication = words == Some(Signal::Weak);
    let (status, confidence) = match (status, bad_credentials, requires_authentication) {
        (Some(status), _, _) => (status, Confidence::High),
        (None, true, _) => ("401".to_string(), Confidence::High),
        (None, false, true) => ("401".to_string(), Confidence::Medium),
        (None, false, false) => return None,
    };
    let host = evidence.endpoint().map(|e| e.host);
    let variable = token_variable(evidence, host.as_deref());
    let rate_limited = evidence.mentions(&["rate limit"]);
    let title = match &host {
        Some(host) => format!("HTTP {status} from {}", quote(host)),
        None => format!("HTTP {status} from a remote API"),
    };
    let cause = match (status.as_str(), rate_limited) {
        (_, true) => "The API refused the request because a rate limit was reached.",
        ("401", _) => {
            "The API did not accept the credentials: the token is missing, expired or revoked."
        }
        _ => {
            "The API accepted the credentials but they lack a permission or scope this call needs."
        }
    };
    let mut finding = Finding::new(title, cause.to_string(), confidence);
    if rate_limited {
        finding = finding.step("Wait for the limit to reset (the `x-ratelimit-reset` header says when), or authenticate to get a higher limit.");
    }
    let (check, renew) = match &variable {
        Some(variable) => (
            format!(
                "Check that {} is set where the program runs (it is read from the environment): {}.",
                quote(variable),
                quote(&format!("test -n \"${variable}\" && echo set"))
            ),
            format!(
                "Check that the token is still valid (not expired or revoked) and create a new one if it is not; then set {} to it.",
                quote(variable)
            ),
        ),
        None => (
            "Check that the credentials the program sends for this API are set where it runs.".to_string(),
            "Check that they are still valid (not expired or revoked), and replace them if they are not.".to_string(),
        ),
    };
    Some(
        finding
            .step(check)
            .step(renew)
            .step("For 403: give the token the permission the call needs (for GitHub: the repository's Issues and Contents, read and write)."),
    )
}

/// The environment variable that holds the token: one the message names, else the usual one
/// for a GitHub or GitLab host.
fn token_variable(evidence: &Evidence<'_>, host: Option<&str>) -> Option<String> {
    static VARIABLE: LazyLock<Option<Regex>> =
        LazyLock::new(|| Regex::new(r"\b([A-Z][A-Z0-9]*_(?:TOKEN|KEY|API_KEY|PAT))\b").ok());
    let named = VARIABLE
        .as_ref()
        .and_then(|regex| evidence.captures(regex))
        .and_then(|c| Some(c.get(1)?.as_str().to_string()));
    named.or_else(|| match host {
        Some(host) if host.contains("github") => Some("GITHUB_TOKEN".to_string()),
        Some(host) if host.contains("gitlab") => Some("GITLAB_TOKEN".to_string()),
        _ => None,
    })
}

#[cfg(test)]
#[path = "network_tests.rs"]
mod tests;
