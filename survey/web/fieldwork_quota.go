package web

import (
	"context"

	"manyi/survey"
)

// screenerQuota runs the quota check once a screener page is saved and
// reports whether the resident's cell was full: the store has then ended
// the response as quota full, in the same transaction as the check, and
// the caller shows the final page. Pages of other kinds and stores
// without quotas are never checked.
func (s *Server) screenerQuota(ctx context.Context, token string, p *survey.Page) (full bool, err error) {
	if p == nil || p.Kind != "screener" {
		return false, nil
	}
	claim, err := s.quotas.ClaimQuota(ctx, token)
	if err != nil {
		return false, err
	}
	return claim.Full, nil
}
