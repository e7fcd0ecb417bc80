/**
 * The migration control room: one page for operators, behind the operator role, that shows per
 * module where its calls go, whether the module and its extracted service agree, how far behind
 * the service's copy is, what waits in dead letters, how the caches do, and whether the module is
 * ready to cut over (also as JSON), with the actions that change state behind a CSRF token.
 */
@NullMarked
package dev.ficus.toolkit.controlroom;

import org.jspecify.annotations.NullMarked;
