//! What the runtime's shared state is made of on each platform, so that the
//! runtime itself names no platform.
//!
//! In the browser everything runs on the page's one thread: [`Shared`] is an
//! `Rc`, [`Lock`] a `RefCell`, and handlers need not be `Send`. Natively a
//! client may be used from any thread: [`Shared`] is an `Arc`, [`Lock`] a
//! `Mutex`, and handlers must be `Send + Sync`, which [`MaybeSend`] and
//! [`MaybeSync`] ask for on native targets only (the pattern `wgpu` uses
//! for the same split).
//!
//! [`PageBound`] makes a handle `Send + Sync` on every target, as Leptos
//! wants of what views and contexts hold: natively it is the handle itself,
//! in the browser a [`SendWrapper`](send_wrapper::SendWrapper), sound there
//! because the page has one thread.

#[cfg(target_arch = "wasm32")]
mod platform {
    use std::cell::{RefCell, RefMut};

    pub(crate) use std::rc::{Rc as Shared, Weak};

    pub(crate) type PageBound<T> = send_wrapper::SendWrapper<T>;

    pub(crate) fn page_bound<T>(value: T) -> PageBound<T> {
        send_wrapper::SendWrapper::new(value)
    }

    /// Exclusive access to `T`: a `RefCell` on the page's one thread.
    #[derive(Debug, Default)]
    pub(crate) struct Lock<T>(RefCell<T>);

    impl<T> Lock<T> {
        pub(crate) fn new(value: T) -> Self {
            Self(RefCell::new(value))
        }

        /// `T`, for the caller alone. Taking it again before the guard is
        /// dropped is a bug (a re-entrant call) and panics.
        pub(crate) fn lock(&self) -> RefMut<'_, T> {
            self.0.borrow_mut()
        }

        /// `T` unless somebody holds it right now.
        pub(crate) fn try_lock(&self) -> Option<RefMut<'_, T>> {
            self.0.try_borrow_mut().ok()
        }
    }

    /// `Send` natively; anything in the browser, where there is one thread.
    pub trait MaybeSend {}
    impl<T: ?Sized> MaybeSend for T {}

    /// `Sync` natively; anything in the browser, where there is one thread.
    pub trait MaybeSync {}
    impl<T: ?Sized> MaybeSync for T {}
}

#[cfg(not(target_arch = "wasm32"))]
mod platform {
    use std::sync::{Mutex, MutexGuard, PoisonError, TryLockError};

    pub(crate) use std::sync::{Arc as Shared, Weak};

    pub(crate) type PageBound<T> = T;

    pub(crate) fn page_bound<T>(value: T) -> PageBound<T> {
        value
    }

    /// Exclusive access to `T`: a `Mutex`. A handler that panicked while
    /// holding it leaves the state as the panic found it; the client goes
    /// on with it rather than poisoning every later call.
    #[derive(Debug, Default)]
    pub(crate) struct Lock<T>(Mutex<T>);

    impl<T> Lock<T> {
        pub(crate) fn new(value: T) -> Self {
            Self(Mutex::new(value))
        }

        /// `T`, for the caller alone (waiting for another thread).
        pub(crate) fn lock(&self) -> MutexGuard<'_, T> {
            self.0.lock().unwrap_or_else(PoisonError::into_inner)
        }

        /// `T` unless somebody holds it right now.
        pub(crate) fn try_lock(&self) -> Option<MutexGuard<'_, T>> {
            match self.0.try_lock() {
                Ok(guard) => Some(guard),
                Err(TryLockError::Poisoned(poisoned)) => Some(poisoned.into_inner()),
                Err(TryLockError::WouldBlock) => None,
            }
        }
    }

    /// `Send` natively; anything in the browser, where there is one thread.
    pub trait MaybeSend: Send {}
    impl<T: Send + ?Sized> MaybeSend for T {}

    /// `Sync` natively; anything in the browser, where there is one thread.
    pub trait MaybeSync: Sync {}
    impl<T: Sync + ?Sized> MaybeSync for T {}
}

pub(crate) use platform::{page_bound, Lock, PageBound, Shared, Weak};
pub use platform::{MaybeSend, MaybeSync};
