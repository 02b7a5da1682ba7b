public class Pool {
  static void connect() throws Exception { throw new java.net.ConnectException("Connection refused"); }
  static void init() { try { connect(); } catch (Exception e) { throw new IllegalStateException("Failed to initialise pool", e); } }
  public static void main(String[] a) { init(); }
}
