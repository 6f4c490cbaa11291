package web

// editorRoutes returns the questionnaire editor's rows of the staff route
// table (setupRoutes appends them).
func (sp *setupPages) editorRoutes() []staffRoute {
	return nil
}
