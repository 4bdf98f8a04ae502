//! `Fresh`: a type-erased view that is built once and, when its place is rendered again,
//! replaced instead of diffed.
//!
//! Leptos erases view types with `AnyView`, which keeps a `rebuild` (diffing) function for
//! every concrete view type it erases, and every `rebuild` pulls in the `rebuild` of each
//! nested element, attribute and list: tens of kilobytes of wasm here. The widget never needs
//! to diff: a lookup's answer replaces the previous one as a whole, and everything that
//! changes in place (the input's value, the fold button, "Copied") is a reactive closure of
//! its own. So `Fresh` builds its view through one boxed closure and, when rebuilt, builds the
//! new view before the old one and removes the old one, as `AnyView` does between different
//! types. Only `build` code is kept for the views it wraps.
//!
//! A built view is kept as a `dyn Mounted` (mount and unmount only), not as a `dyn Mountable`:
//! a trait object's vtable instantiates every method of the trait for every concrete type, and
//! `Mountable`'s `elements` and `insert_before_this` for each nested view state cost kilobytes
//! (docs/widget-weight.md). In their place, each `Fresh` view keeps an empty comment node just
//! before its own nodes: what is inserted before the view goes before that marker.

use leptos::tachys::html::attribute::any_attribute::AnyAttribute;
use leptos::tachys::html::attribute::Attribute;
use leptos::tachys::hydration::Cursor;
use leptos::tachys::renderer::types::{Element, Node, Placeholder};
use leptos::tachys::renderer::Rndr;
use leptos::tachys::view::add_attr::AddAnyAttr;
use leptos::tachys::view::{Mountable, Position, PositionState, Render, RenderHtml};

/// A view, type-erased, that is replaced rather than diffed when rendered again.
pub struct Fresh(Box<dyn FnOnce() -> FreshState + Send>);

/// A built [`Fresh`] view.
pub struct FreshState {
    view: Box<dyn Mounted>,
    /// Mounted just before the view's own nodes (if it has any): the place of the view.
    marker: Placeholder,
}

/// The part of [`Mountable`] a [`FreshState`] needs from the view it holds.
trait Mounted {
    fn detach(&mut self);
    fn attach(&mut self, parent: &Element, marker: Option<&Node>);
}

impl<T: Mountable> Mounted for T {
    fn detach(&mut self) {
        Mountable::unmount(self);
    }

    fn attach(&mut self, parent: &Element, marker: Option<&Node>) {
        Mountable::mount(self, parent, marker);
    }
}

/// Turns any view into a [`Fresh`] one (in place of `.into_any()`).
pub trait IntoFresh {
    fn fresh(self) -> Fresh;
}

impl<V> IntoFresh for V
where
    V: RenderHtml + 'static,
    V::State: 'static,
{
    fn fresh(self) -> Fresh {
        Fresh(Box::new(move || FreshState {
            view: Box::new(self.build()),
            marker: Rndr::create_placeholder(),
        }))
    }
}

impl Render for Fresh {
    type State = FreshState;

    fn build(self) -> FreshState {
        (self.0)()
    }

    fn rebuild(self, state: &mut FreshState) {
        let mut new = self.build();
        state.marker.insert_before_this(&mut new);
        state.unmount();
        *state = new;
    }
}

impl Mountable for FreshState {
    fn unmount(&mut self) {
        self.view.detach();
        self.marker.unmount();
    }

    fn mount(&mut self, parent: &Element, marker: Option<&Node>) {
        self.marker.mount(parent, marker);
        self.view.attach(parent, marker);
    }

    fn insert_before_this(&self, child: &mut dyn Mountable) -> bool {
        self.marker.insert_before_this(child)
    }

    /// Not asked for: only `AnyView` and keyed lists read a view's elements, and the widget
    /// uses neither.
    fn elements(&self) -> Vec<Element> {
        Vec::new()
    }
}

/// Spreading attributes onto a `Fresh` view is not supported: they are dropped (the widget
/// never spreads attributes).
impl AddAnyAttr for Fresh {
    type Output<SomeNewAttr: Attribute> = Fresh;

    fn add_any_attr<NewAttr: Attribute>(self, _attr: NewAttr) -> Fresh {
        self
    }
}

/// The widget renders in the browser only: there is no server-side HTML and no hydration.
impl RenderHtml for Fresh {
    type AsyncOutput = Fresh;
    type Owned = Fresh;

    const MIN_LENGTH: usize = 0;

    fn dry_resolve(&mut self) {}

    async fn resolve(self) -> Fresh {
        self
    }

    fn to_html_with_buf(
        self,
        _buf: &mut String,
        _position: &mut Position,
        _escape: bool,
        _mark_branches: bool,
        _extra_attrs: Vec<AnyAttribute>,
    ) {
    }

    fn hydrate<const FROM_SERVER: bool>(
        self,
        _cursor: &Cursor,
        _position: &PositionState,
    ) -> FreshState {
        self.build()
    }

    fn into_owned(self) -> Fresh {
        self
    }
}
