// Package survey is manyi's domain: measurements, questionnaires, invitations,
// responses and the errors they produce. It owns the types and the service
// interfaces; adapters (survey/sqlite, survey/web, survey/report) implement or
// consume them and never import one another except through this package.
package survey
