package io.pgwarden.sandbox.kubelet;

/**
 * A container the sandbox does not run for real (no command, not PostgreSQL): it is up from start to stop, like kwok's
 * fake pods.
 */
final class SleepContainer implements Container {
    private volatile boolean running = true;
    private volatile Runnable exited = () -> { };

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public boolean isReady() {
        return running;
    }

    @Override
    public int port() {
        return 0;
    }

    @Override
    public void onExit(Runnable action) {
        exited = action;
    }

    @Override
    public void kill() {
        running = false;
        exited.run();
    }

    @Override
    public void stop(java.time.Duration gracePeriod) {
        kill();
    }
}
