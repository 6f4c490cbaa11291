// Package invite turns drawn cases and their invitation links into what the
// office hands to the field: a CSV for the city's SMS gateway and a printable
// A4 sheet of QR codes for face-to-face recruitment. It is pure: no database,
// no HTTP; the caller supplies contacts, links and texts.
package invite
