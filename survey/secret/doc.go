// Package secret encrypts contact details (phone numbers) at rest with
// AES-256-GCM under a key from the environment, so that a copy of the
// database alone does not give away who was sampled. It never logs or
// returns plaintext in errors, and a Key prints as "[redacted]".
package secret
