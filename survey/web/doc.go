// Package web serves the resident survey: the pages a resident opens from a
// personal invitation link (/s/:token), answered one page at a time,
// server-rendered so that they work on any phone with JavaScript disabled.
//
// It is an adapter over survey.Store: every page a resident submits is saved
// through the store before the next page is shown (POST-redirect-GET), so a
// closed tab or a crashed server loses nothing that was acknowledged. Pages
// are html/template files from the templates package, parsed once; CSS and
// the small progressive-enhancement script come from the static package.
//
// The HTTP protocol (forms, hidden fields, status codes) is the contract with
// the crash test and the load benchmark; see handleShow and handleAnswer.
package web
