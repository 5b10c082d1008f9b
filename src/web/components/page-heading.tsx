import { useEffect, useRef, type ReactNode } from "react";

/**
 * The page's h1. Sets the document title and takes focus when the page
 * opens, so that screen readers announce the new page after client-side
 * navigation.
 */
export function PageHeading({
  children,
  title,
}: {
  children: ReactNode;
  /** The document title, before « — Госпаблики». */
  title: string;
}) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} — Госпаблики`;
    ref.current?.focus();
  }, [title]);
  return (
    <h1 ref={ref} tabIndex={-1} className="page-heading">
      {children}
    </h1>
  );
}
