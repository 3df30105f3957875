package io.pgwarden.watcher.health;

/**
 * One managed pod's database port as last probed, as the judge weighs it.
 *
 * @param pod     {@code namespace/name}
 * @param address the pod's {@code ip:port}
 * @param answer  what the last probe found; null before the first answer of this stale spell, or when node-watcher
 *                could not tell (no address known): an unknown port agrees with nothing
 */
public record DatabasePort(String pod, String address, Answer answer) {

    /**
     * Whether a TCP connection to the port opened, as the kubelet's {@code tcpSocket} probe counts success
     * (kubernetes {@code pkg/probe/tcp/tcp.go}, DoTCPProbe); if not, why: {@code connect timed out},
     * {@code connection refused}, {@code no route to host}.
     */
    public record Answer(boolean answers, String why) {
        public static final Answer ANSWERS = new Answer(true, null);

        public static Answer silent(String why) {
            return new Answer(false, why);
        }
    }

    boolean answers() {
        return answer != null && answer.answers();
    }

    boolean silent() {
        return answer != null && !answer.answers();
    }

    String words() {
        return "database port of " + pod + " (" + address + ")"
                + (answers() ? " answers" : " does not answer (" + answer.why() + ")");
    }
}
