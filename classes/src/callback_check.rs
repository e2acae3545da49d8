//! Checks a Function set on a callback field against what the class will pass, so a callback
//! whose parameters cannot take those arguments is refused when it is set (Args, with a detail
//! naming the form expected) instead of silently never running.
//!
//! A NetSocket's forms depend on its role, which is fixed at Init: before Init a callback must
//! fit one of the two forms, and Init checks the one that applies.

use parasol_core::err::fail_with;
use parasol_core::function::ArgKind;
use parasol_core::{Function, Res, ERR};

const NETSOCKET: ArgKind = ArgKind::Object(Some("NetSocket"));
const CLIENTSOCKET: ArgKind = ArgKind::Object(Some("ClientSocket"));
const STATE: ArgKind = ArgKind::Int;

/// A callback field of the network classes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Callback {
    Feedback,
    Incoming,
    Outgoing,
}

/// Which forms apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Role {
    /// A client NetSocket.
    Client,
    /// A server NetSocket, or a ClientSocket (whose callbacks have the server's form).
    Server,
    /// A NetSocket before Init: either.
    Unknown,
}

impl Callback {
    fn name(self) -> &'static str {
        match self {
            Callback::Feedback => "Feedback",
            Callback::Incoming => "Incoming",
            Callback::Outgoing => "Outgoing",
        }
    }

    fn client_form(self) -> &'static [ArgKind] {
        match self {
            Callback::Feedback => &[NETSOCKET, STATE],
            Callback::Incoming | Callback::Outgoing => &[NETSOCKET],
        }
    }

    fn server_form(self) -> &'static [ArgKind] {
        match self {
            Callback::Feedback => &[NETSOCKET, CLIENTSOCKET, STATE],
            Callback::Incoming | Callback::Outgoing => &[NETSOCKET, CLIENTSOCKET],
        }
    }
}

/// For the typed setters, which know the form they were written for: Args (with a detail naming
/// the form to use) when `sock` is of the other role. Needed beside [`check`] because a client's
/// form, taking fewer parameters, also fits a server's arguments.
pub(crate) fn check_role(role: Role, sock: crate::handles::NetSocket) -> Res<()> {
    let is_server = sock.state()? == crate::constants::NTC::MULTISTATE;
    let (given, used, expected) = match (role, is_server) {
        (Role::Server, false) => ("server_*", "client", "client_* form or NSF::SERVER"),
        (Role::Client, true) => ("client_*", "server", "server_* form"),
        _ => return Ok(()),
    };
    Err(fail_with(
        ERR::Args,
        format!(
            "{} a {given} callback was given to a {used} NetSocket: use the {expected}",
            parasol_core::log::IdCtx(sock.id())
        ),
    ))
}

/// Okay when `f` is undefined, raw, or fits a form of `role`; Args (with the detail) otherwise.
pub(crate) fn check(callback: Callback, f: &Function, role: Role) -> Res<()> {
    if !f.defined() {
        return Ok(());
    }
    let forms: &[&[ArgKind]] = match role {
        Role::Client => &[callback.client_form()],
        Role::Server => &[callback.server_form()],
        Role::Unknown => &[callback.client_form(), callback.server_form()],
    };
    if forms.iter().any(|form| f.fits(form)) {
        return Ok(());
    }
    let expected: Vec<String> = forms
        .iter()
        .map(|form| Function::describe_signature(form))
        .collect();
    let given = Function::describe_signature(f.signature().unwrap_or(&[]));
    Err(fail_with(
        ERR::Args,
        format!(
            "{} is called with {}; this Function takes {given}",
            callback.name(),
            expected.join(" (client) or ")
                + if role == Role::Unknown {
                    " (server)"
                } else {
                    ""
                }
        ),
    ))
}

/// Okay when `f` is undefined, raw, or fits `form` (taking its first arguments is enough);
/// Args with a detail naming the form otherwise. For callbacks with one form (NetLookup's).
pub(crate) fn check_form(name: &str, f: &Function, form: &[ArgKind]) -> Res<()> {
    if !f.defined() || f.fits(form) {
        return Ok(());
    }
    let given = Function::describe_signature(f.signature().unwrap_or(&[]));
    Err(fail_with(
        ERR::Args,
        format!(
            "{name} is called with {}; this Function takes {given}",
            Function::describe_signature(form)
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use parasol_core::ObjectId;

    #[test]
    fn forms_by_role() {
        let client_feedback = Function::new(|_s: ObjectId, _state: i32| ERR::Okay);
        assert_eq!(
            check(Callback::Feedback, &client_feedback, Role::Client),
            Ok(())
        );
        assert_eq!(
            check(Callback::Feedback, &client_feedback, Role::Unknown),
            Ok(())
        );
        assert_eq!(
            check(Callback::Feedback, &client_feedback, Role::Server),
            Err(ERR::Args),
            "(object, int) cannot take (NetSocket, ClientSocket, int)"
        );
        let text = Function::new(|_s: &str| ERR::Okay);
        assert_eq!(
            check(Callback::Incoming, &text, Role::Unknown),
            Err(ERR::Args)
        );
        let detail = parasol_core::err::take_failure_detail().unwrap();
        assert!(
            detail.contains("(NetSocket) (client) or (NetSocket, ClientSocket) (server)")
                && detail.contains("takes (string)"),
            "{detail}"
        );
        let raw = Function::raw(|_args| ERR::Okay);
        assert_eq!(check(Callback::Outgoing, &raw, Role::Server), Ok(()));
        assert_eq!(
            check(Callback::Outgoing, &Function::default(), Role::Client),
            Ok(())
        );
    }
}
