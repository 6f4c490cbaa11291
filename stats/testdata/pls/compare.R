# compare.R: fits one PLS reference case with R's plspm 0.4.9 and compares
# the result with the case's expected.json (or, with --write, writes it).
#
#   R_LIBS=/tmp/rlib Rscript compare.R CASE_DIR [--write]
#
# CASE_DIR holds data.csv and model.json as described in README.md. Beyond
# the shared fixture's fields, model.json may name
#   "weight": "col"   an integer weight column: plspm has no sampling
#                     weights, so each row is repeated that many times
#                     (the engine must give the same figures weighting);
#   "mode": "B"       in a construct, a formative block.
# plspm and its dependencies (tester, turner, amap, shape, diagram) are
# built from their public sources; see docs/PLS.md.
suppressPackageStartupMessages({
  library(plspm)
  library(jsonlite)
})

args <- commandArgs(trailingOnly = TRUE)
if (length(args) < 1) stop("usage: Rscript compare.R CASE_DIR [--write]")
dir <- args[1]
write <- "--write" %in% args

model <- fromJSON(file.path(dir, "model.json"), simplifyVector = FALSE)
data <- read.csv(file.path(dir, "data.csv"), check.names = FALSE)
if (!is.null(model$weight)) {
  w <- data[[model$weight]]
  if (any(w != round(w)) || any(w < 0)) stop("weights must be whole numbers for duplication")
  data <- data[rep(seq_len(nrow(data)), w), , drop = FALSE]
}

lvs <- vapply(model$constructs, function(k) k$name, "")
blocks <- lapply(model$constructs, function(k) unlist(k$indicators))
modes <- vapply(model$constructs, function(k) if (is.null(k$mode)) "A" else k$mode, "")
names(blocks) <- lvs
pm <- matrix(0, length(lvs), length(lvs), dimnames = list(lvs, lvs))
for (p in model$paths) pm[p[[2]], p[[1]]] <- 1
scheme <- if (is.null(model$scheme)) "path" else model$scheme
scaled <- isTRUE(model$standardize)

t0 <- proc.time()[["elapsed"]]
fit <- plspm(data, pm, blocks, modes = modes, scheme = scheme, scaled = scaled,
             tol = 1e-10, maxiter = 1000)
elapsed <- proc.time()[["elapsed"]] - t0

named <- function(v, n) { v <- as.list(unname(v)); names(v) <- n; v }
pc <- list()
for (to in lvs) for (from in lvs) if (pm[to, from] == 1)
  pc[[paste0(to, "<-", from)]] <- fit$path_coefs[to, from]
om <- fit$outer_model
ef <- fit$effects
out <- list(
  path_coefficients = pc,
  outer_weights = named(om$weight, as.character(om$name)),
  loadings = named(om$loading, as.character(om$name)),
  r2 = named(fit$inner_summary$R2, lvs),
  ave = named(fit$inner_summary$AVE, lvs),
  total_effects = named(ef$total, as.character(ef$relationships)),
  gof = fit$gof
)
if (!scaled && !is.null(model$index_scale)) {
  sc <- unlist(model$index_scale)
  rs <- rescale(fit)
  out$index <- named((colMeans(rs) - sc[1]) / (sc[2] - sc[1]) * 100, lvs)
}
out$reference <- list(
  package = "plspm",
  version = as.character(packageVersion("plspm")),
  call = sprintf("plspm(scheme='%s', modes=c(%s), scaled=%s, tol=1e-10, maxiter=1000)",
                 scheme, paste0("'", modes, "'", collapse = ","), toupper(scaled)),
  note = if (is.null(model$note)) "" else model$note
)

# Cronbach's alpha and Dillon-Goldstein rho ($unidim) are not part of the
# shared expected.json shape; they go to reliability.json beside it.
rel <- list(cronbach_alpha = named(fit$unidim$C.alpha, lvs),
            composite_reliability = named(fit$unidim$DG.rho, lvs))

cat(sprintf("%s: plspm fit in %.3f s, %d iterations\n", dir, elapsed, fit$model$iter))
if (write) {
  writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE),
             file.path(dir, "expected.json"))
  writeLines(toJSON(rel, auto_unbox = TRUE, digits = NA, pretty = TRUE),
             file.path(dir, "reliability.json"))
  cat("wrote", file.path(dir, "expected.json"), "and reliability.json\n")
  quit(status = 0)
}

want <- fromJSON(file.path(dir, "expected.json"), simplifyVector = FALSE)
worst <- 0
got <- out
if (file.exists(file.path(dir, "reliability.json"))) {
  want <- c(want, fromJSON(file.path(dir, "reliability.json"), simplifyVector = FALSE))
  got <- c(got, rel)
}
for (sec in setdiff(names(got), "reference")) {
  g <- unlist(got[[sec]]); e <- unlist(want[[sec]])
  if (length(g) != length(e) || !all(names(g) == names(e))) {
    cat("section", sec, "has other keys than expected.json\n"); quit(status = 1)
  }
  d <- max(abs(g - e))
  worst <- max(worst, d)
  cat(sprintf("  %-18s max |diff| %.3g\n", sec, d))
}
if (worst > 1e-6) { cat("FAIL: differs from expected.json by more than 1e-6\n"); quit(status = 1) }
cat("ok: within 1e-6 of expected.json\n")
