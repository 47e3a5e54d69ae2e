//! Judging documents on every core. The wasm targets have no threads: there everything
//! runs on the caller's thread, and no thread code is compiled in (the npm module's size
//! is what a browser downloads).

#[cfg(target_family = "wasm")]
pub(crate) fn on_every_core<T: Sync, R: Send>(
    items: &[T],
    work: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    items.iter().map(work).collect()
}

#[cfg(not(target_family = "wasm"))]
pub(crate) fn on_every_core<T: Sync, R: Send>(
    items: &[T],
    work: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    // Below this many per thread, starting threads costs more than it saves.
    const MIN_PER_THREAD: usize = 64;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads = cores.min(items.len() / MIN_PER_THREAD).max(1);
    if threads == 1 {
        return items.iter().map(&work).collect();
    }
    let chunk = items.len().div_ceil(threads);
    let work = &work;
    std::thread::scope(|scope| {
        // A chunk whose thread cannot be started (a process out of threads) is done on
        // this one instead.
        let parts: Vec<Result<_, &[T]>> = items
            .chunks(chunk)
            .map(|part| {
                std::thread::Builder::new()
                    .spawn_scoped(scope, move || part.iter().map(work).collect::<Vec<R>>())
                    .map_err(|_| part)
            })
            .collect();
        let mut out = Vec::with_capacity(items.len());
        for part in parts {
            match part {
                Ok(handle) => match handle.join() {
                    Ok(results) => out.extend(results),
                    // A panic in a worker is a bug; surface it as the panic it was.
                    Err(panic) => std::panic::resume_unwind(panic),
                },
                Err(part) => out.extend(part.iter().map(work)),
            }
        }
        out
    })
}
