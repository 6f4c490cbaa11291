// Package setup is the office's side of a measurement before and around
// fieldwork: creating a measurement (districts, year-on-year link, where its
// questionnaire comes from), the life-cycle checklist of its overview page,
// and the questionnaire editor's operations and version history.
//
// The web pages (survey/web) and the commands (cmd/manyi) call the same
// functions here; the store behind them is the Store interface, implemented
// by survey/sqlite.
package setup
