// The one shape every area's typed errors share, written once: a class that reports its own name. Each area keeps its
// own classes (with their codes and fields), so `instanceof` and `error.name` work as before; the name is a string
// given here rather than read from the class, because a minified bundle renames classes.
// biome-ignore lint/suspicious/noExplicitAny: a mixin's base constructor takes whatever its class takes.
type ErrorClass = abstract new (...args: any[]) => Error;

/** `Base` with instances named `name`: `class KeyShareError extends namedError('KeyShareError', CustodyError) {}`. */
export function namedError<B extends ErrorClass>(name: string, Base: B): B {
  abstract class Named extends Base {
    override name = name;
  }
  // Typed as Base: same constructor parameters and instance type (Error's `name` is already a string).
  return Named as unknown as B;
}
