# bench.R: times plspm 0.4.9 on the benchmark data that
#   go test ./stats -run TestPLSBenchData -plscsv DIR
# writes (20,000 interviews, 7 constructs, 24 items), for docs/PERFORMANCE.md:
#   R_LIBS=/tmp/rlib Rscript bench.R DIR [bootstrap replicates, default 1000]
suppressPackageStartupMessages({ library(plspm); library(jsonlite) })
args <- commandArgs(trailingOnly = TRUE)
dir <- args[1]
br <- if (length(args) > 1) as.integer(args[2]) else 1000L
model <- fromJSON(file.path(dir, "model.json"), simplifyVector = FALSE)
data <- read.csv(file.path(dir, "data.csv"))
lvs <- vapply(model$constructs, function(k) k$name, "")
blocks <- lapply(model$constructs, function(k) unlist(k$indicators))
pm <- matrix(0, length(lvs), length(lvs), dimnames = list(lvs, lvs))
for (p in model$paths) pm[p[[2]], p[[1]]] <- 1
fit <- function(...) plspm(data, pm, blocks, modes = rep("A", length(lvs)), scheme = "path",
                           scaled = FALSE, tol = 1e-10, maxiter = 1000, ...)
cpu <- function(st) st[["user.self"]] + st[["sys.self"]]
ts <- lapply(1:5, function(i) system.time(fit()))
f <- fit()
cat(sprintf("plspm fit: median %.3f s wall, %.3f s CPU over 5; SAT<-QUAL %.15g, GoF %.15g\n",
            median(sapply(ts, function(s) s[["elapsed"]])), median(sapply(ts, cpu)),
            f$path_coefs["SAT", "QUAL"], f$gof))
tb <- system.time(fb <- fit(boot.val = TRUE, br = br))
cat(sprintf("plspm fit + bootstrap of %d replicates (rows resampled): %.1f s wall, %.1f s CPU\n",
            br, tb[["elapsed"]], cpu(tb)))
