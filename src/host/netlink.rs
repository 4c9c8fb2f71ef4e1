//! One synchronous rtnetlink dump (RTM_GETLINK / RTM_GETADDR / RTM_GETROUTE) in the current
//! network namespace. The kernel answers a dump with NLM_F_MULTI messages spread over several
//! datagrams and ends it with NLMSG_DONE (netlink(7)); a dump that changed while it was read is
//! flagged NLM_F_DUMP_INTR and is read again.

use netlink_packet_core::{
    NLM_F_DUMP, NLM_F_DUMP_INTR, NLM_F_REQUEST, NLMSG_DONE, NLMSG_ERROR, NLMSG_NOOP, NLMSG_OVERRUN,
    NetlinkBuffer, NetlinkHeader, NetlinkMessage, NetlinkPayload,
};
use netlink_packet_route::RouteNetlinkMessage;
use netlink_sys::{Socket, SocketAddr, protocols::NETLINK_ROUTE};
use std::io;

/// What a dump returned: the messages that parsed, and one line per message that did not
/// (a newer kernel's attribute this crate cannot read must not hide the other interfaces).
#[derive(Debug, Default)]
pub struct Dump {
    pub messages: Vec<RouteNetlinkMessage>,
    pub skipped: Vec<String>,
}

/// How many times an interrupted dump is read again before its last result is kept.
const DUMP_RETRIES: usize = 3;

/// Dump every object of one kind. `request` is an empty Get* message (its header may carry a
/// family filter).
pub fn dump(request: RouteNetlinkMessage) -> io::Result<Dump> {
    let mut socket = Socket::new(NETLINK_ROUTE)?;
    socket.bind_auto()?;
    set_receive_timeout(&socket, RECV_TIMEOUT_SECS)?;
    let mut last = Dump::default();
    for attempt in 0..DUMP_RETRIES {
        let seq = 0x6473_0000 + attempt as u32;
        let (d, interrupted) = dump_once(&socket, request.clone(), seq)?;
        last = d;
        if !interrupted {
            return Ok(last);
        }
    }
    last.skipped
        .push("the kernel kept changing this table while it was read (NLM_F_DUMP_INTR)".into());
    Ok(last)
}

fn dump_once(socket: &Socket, request: RouteNetlinkMessage, seq: u32) -> io::Result<(Dump, bool)> {
    let mut header = NetlinkHeader::default();
    header.flags = NLM_F_REQUEST | NLM_F_DUMP;
    header.sequence_number = seq;
    let mut packet = NetlinkMessage::new(header, NetlinkPayload::from(request));
    packet.finalize();
    let mut out = vec![0u8; packet.buffer_len()];
    packet.serialize(&mut out);
    retry_eintr(|| socket.send_to(&out, &SocketAddr::new(0, 0), 0))?;

    let mut dump = Dump::default();
    let mut interrupted = false;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        // Peek first: a datagram larger than the buffer would be cut (MSG_TRUNC reports its
        // real size), so grow the buffer and read it whole.
        let size =
            retry_eintr(|| socket.recv(&mut &mut buf[..], libc::MSG_PEEK | libc::MSG_TRUNC))?;
        if size > buf.len() {
            buf.resize(size, 0);
        }
        let n = retry_eintr(|| socket.recv(&mut &mut buf[..], 0))?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the kernel closed the netlink dump before NLMSG_DONE",
            ));
        }
        let mut off = 0usize;
        while off < n {
            let chunk = &buf[off..n];
            let Ok(nb) = NetlinkBuffer::new_checked(chunk) else {
                dump.skipped.push(format!(
                    "a truncated netlink message ({} bytes)",
                    chunk.len()
                ));
                break;
            };
            let len = nb.length() as usize;
            let kind = nb.message_type();
            if nb.flags() & NLM_F_DUMP_INTR != 0 {
                interrupted = true;
            }
            if nb.sequence_number() != seq && kind != NLMSG_NOOP {
                // An answer to someone else's request on a reused port: not ours.
                off += align(len);
                continue;
            }
            match kind {
                NLMSG_DONE => return Ok((dump, interrupted)),
                NLMSG_NOOP | NLMSG_OVERRUN => {}
                NLMSG_ERROR => {
                    let msg = &chunk[..len.min(chunk.len())];
                    if let Ok(m) = NetlinkMessage::<RouteNetlinkMessage>::deserialize(msg)
                        && let NetlinkPayload::Error(e) = m.payload
                        && let Some(code) = e.code
                    {
                        return Err(io::Error::from_raw_os_error(-code.get()));
                    }
                    // An ACK (code 0) ends nothing in a dump; keep reading.
                }
                _ => match NetlinkMessage::<RouteNetlinkMessage>::deserialize(
                    &chunk[..len.min(chunk.len())],
                ) {
                    Ok(m) => {
                        if let NetlinkPayload::InnerMessage(inner) = m.payload {
                            dump.messages.push(inner);
                        }
                    }
                    Err(e) => dump
                        .skipped
                        .push(format!("netlink message type {kind} not understood: {e}")),
                },
            }
            if len == 0 {
                break;
            }
            off += align(len);
        }
    }
}

/// A dump that stops without NLMSG_DONE must not hang `detect`.
const RECV_TIMEOUT_SECS: libc::time_t = 5;

fn set_receive_timeout(socket: &Socket, secs: libc::time_t) -> io::Result<()> {
    use std::os::fd::AsRawFd;
    let tv = libc::timeval {
        tv_sec: secs,
        tv_usec: 0,
    };
    // SAFETY: a valid socket descriptor and a timeval that lives across the call.
    let rc = unsafe {
        libc::setsockopt(
            socket.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_RCVTIMEO,
            &tv as *const libc::timeval as *const libc::c_void,
            std::mem::size_of::<libc::timeval>() as libc::socklen_t,
        )
    };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Netlink messages are 4-byte aligned (NLMSG_ALIGN).
fn align(len: usize) -> usize {
    (len + 3) & !3
}

fn retry_eintr<T>(mut f: impl FnMut() -> io::Result<T>) -> io::Result<T> {
    loop {
        match f() {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            r => return r,
        }
    }
}
