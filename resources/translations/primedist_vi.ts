<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="vi_VN">
<context>
    <name>JobsIndicator</name>
    <message>
        <source>Cancel</source>
        <translation>Hủy</translation>
    </message>
    <message>
        <source>No background jobs</source>
        <translation>Không có tác vụ nền</translation>
    </message>
    <message numerus="yes">
        <source> (+%n more)</source>
        <translation>
            <numerusform> (+%n tác vụ khác)</numerusform>
        </translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>Đang hủy…</translation>
    </message>
</context>
<context>
    <name>LoginPage</name>
    <message>
        <source>Sign in</source>
        <translation>Đăng nhập</translation>
    </message>
    <message>
        <source>Sign in with your email and password.</source>
        <translation>Đăng nhập bằng email và mật khẩu của bạn.</translation>
    </message>
    <message>
        <source>Email</source>
        <translation>Email</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>Mật khẩu</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Prime Distribution — %s</source>
        <extracomment>(key, module the tab needs or None for everyone)</extracomment>
        <translation>Prime Distribution — %s</translation>
    </message>
    <message>
        <source>Home</source>
        <translation>Trang chủ</translation>
    </message>
    <message>
        <source>Analytics</source>
        <translation>Phân tích</translation>
    </message>
    <message>
        <source>Products</source>
        <translation>Sản phẩm</translation>
    </message>
    <message>
        <source>Orders</source>
        <translation>Đơn hàng</translation>
    </message>
    <message>
        <source>Customers</source>
        <translation>Khách hàng</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Cài đặt</translation>
    </message>
    <message>
        <source>Signed in as %s (%s)</source>
        <translation>Đăng nhập: %s (%s)</translation>
    </message>
    <message>
        <source>Data: %s</source>
        <translation>Dữ liệu: %s</translation>
    </message>
</context>
<context>
    <name>OrderDetailDialog</name>
    <message>
        <source>Shop</source>
        <extracomment>After any successful action (the list refreshes). The customer&apos;s id, when the user opens the customer.</extracomment>
        <translation>Gian hàng</translation>
    </message>
    <message>
        <source>Payment</source>
        <translation>Thanh toán</translation>
    </message>
    <message>
        <source>Order date</source>
        <translation>Ngày đặt hàng</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>Nguồn đơn</translation>
    </message>
    <message>
        <source>Items</source>
        <translation>Danh sách sản phẩm</translation>
    </message>
    <message>
        <source>Status history</source>
        <translation>Lịch sử trạng thái</translation>
    </message>
    <message>
        <source>Product</source>
        <translation>Sản phẩm</translation>
    </message>
    <message>
        <source>Variant</source>
        <translation>Phân loại</translation>
    </message>
    <message>
        <source>SKU</source>
        <translation>SKU</translation>
    </message>
    <message>
        <source>Qty</source>
        <translation>SL</translation>
    </message>
    <message>
        <source>Unit price</source>
        <translation>Đơn giá</translation>
    </message>
    <message>
        <source>Subtotal</source>
        <translation>Thành tiền</translation>
    </message>
    <message>
        <source>No items are recorded for this order.</source>
        <translation>Đơn hàng này chưa có sản phẩm nào.</translation>
    </message>
    <message>
        <source>No status changes are recorded for this order.</source>
        <translation>Đơn hàng này chưa có thay đổi trạng thái nào.</translation>
    </message>
    <message>
        <source>When</source>
        <translation>Thời gian</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Trạng thái</translation>
    </message>
    <message>
        <source>By</source>
        <translation>Thực hiện</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>Ghi chú</translation>
    </message>
    <message>
        <source>Total</source>
        <translation>Tổng cộng</translation>
    </message>
    <message>
        <source>Channel commission</source>
        <translation>Phí sàn</translation>
    </message>
    <message>
        <source>Refunded</source>
        <translation>Đã hoàn tiền</translation>
    </message>
    <message>
        <source>The commission is paid by the shop to the channel, not part of the total.</source>
        <translation>Phí sàn do cửa hàng trả, không tính vào tổng cộng.</translation>
    </message>
    <message>
        <source>Customer</source>
        <translation>Khách hàng</translation>
    </message>
    <message>
        <source>Ship to</source>
        <translation>Người nhận</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Địa chỉ</translation>
    </message>
    <message>
        <source>Carrier</source>
        <translation>Đơn vị vận chuyển</translation>
    </message>
    <message>
        <source>Tracking</source>
        <translation>Mã vận đơn</translation>
    </message>
    <message>
        <source>Staff note</source>
        <translation>Ghi chú nội bộ</translation>
    </message>
    <message>
        <source>A note for the team about this order</source>
        <translation>Ghi chú cho nhân viên về đơn hàng này</translation>
    </message>
    <message>
        <source>Save note</source>
        <translation>Lưu ghi chú</translation>
    </message>
    <message>
        <source>only staff see it, never printed</source>
        <translation>chỉ nhân viên xem được, không in ra</translation>
    </message>
    <message>
        <source>Confirm</source>
        <translation>Xác nhận</translation>
    </message>
    <message>
        <source>Ship</source>
        <translation>Giao hàng</translation>
    </message>
    <message>
        <source>Complete</source>
        <translation>Hoàn thành</translation>
    </message>
    <message>
        <source>Cancel order</source>
        <translation>Hủy đơn</translation>
    </message>
    <message>
        <source>Return…</source>
        <translation>Trả hàng…</translation>
    </message>
    <message>
        <source>Print</source>
        <translation>In</translation>
    </message>
    <message>
        <source>Printing comes with the printer set-up (Settings)</source>
        <translation>Tính năng in sẽ có khi thiết lập máy in (Cài đặt)</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Đóng</translation>
    </message>
    <message>
        <source>Close (Esc)</source>
        <translation>Đóng (Esc)</translation>
    </message>
    <message>
        <source>Order %1</source>
        <translation>Đơn hàng %1</translation>
    </message>
    <message>
        <source>Flagged</source>
        <translation>Đã đánh dấu</translation>
    </message>
    <message>
        <source>Waiting to be sent to %1. It goes out when the connection is back.</source>
        <translation>Đang chờ gửi lên %1. Đơn sẽ được gửi khi có kết nối trở lại.</translation>
    </message>
    <message>
        <source>Cancel reason: %1</source>
        <translation>Lý do hủy: %1</translation>
    </message>
    <message>
        <source>%1 (returned %2)</source>
        <translation>%1 (đã trả %2)</translation>
    </message>
    <message>
        <source>Line discount: %1</source>
        <translation>Giảm giá sản phẩm: %1</translation>
    </message>
    <message>
        <source>Open the customer</source>
        <translation>Mở hồ sơ khách hàng</translation>
    </message>
    <message>
        <source>Walk-in customer</source>
        <translation>Khách lẻ</translation>
    </message>
    <message>
        <source>Not linked to a customer</source>
        <translation>Chưa liên kết với khách hàng</translation>
    </message>
    <message>
        <source>Unflag</source>
        <translation>Bỏ đánh dấu</translation>
    </message>
    <message>
        <source>Flag</source>
        <translation>Đánh dấu</translation>
    </message>
    <message>
        <source>Only completed orders can be returned.</source>
        <translation>Chỉ đơn đã hoàn thành mới trả hàng được.</translation>
    </message>
    <message>
        <source>Confirming the order</source>
        <translation>Đang xác nhận đơn hàng</translation>
    </message>
    <message>
        <source>Updating the order status</source>
        <translation>Đang cập nhật trạng thái đơn hàng</translation>
    </message>
    <message>
        <source>Cancelling the order</source>
        <translation>Đang hủy đơn hàng</translation>
    </message>
    <message>
        <source>Flagging the order</source>
        <translation>Đang cập nhật đánh dấu đơn hàng</translation>
    </message>
    <message>
        <source>Saving the note</source>
        <translation>Đang lưu ghi chú</translation>
    </message>
</context>
<context>
    <name>ReturnDialog</name>
    <message>
        <source>Return items of order %1</source>
        <extracomment>Columns of the lines table; the last one holds the spin boxes. Order line id → its &quot;Return qty&quot; spin box. What the service did, once OK worked.</extracomment>
        <translation>Trả hàng của đơn %1</translation>
    </message>
    <message>
        <source>Returned items go back into stock and the refund is recorded on the order. When every item is back the order becomes Returned.</source>
        <translation>Hàng trả được nhập lại kho, tiền hoàn được ghi vào đơn. Khi trả hết hàng, đơn chuyển sang “Đã trả hàng”.</translation>
    </message>
    <message>
        <source>Items</source>
        <translation>Danh sách sản phẩm</translation>
    </message>
    <message>
        <source>Return everything</source>
        <translation>Trả tất cả</translation>
    </message>
    <message>
        <source>Product</source>
        <translation>Sản phẩm</translation>
    </message>
    <message>
        <source>SKU</source>
        <translation>SKU</translation>
    </message>
    <message>
        <source>Unit price</source>
        <translation>Đơn giá</translation>
    </message>
    <message>
        <source>Can return</source>
        <translation>Có thể trả</translation>
    </message>
    <message>
        <source>Return qty</source>
        <translation>SL trả</translation>
    </message>
    <message>
        <source>&amp;Reason</source>
        <translation>&amp;Lý do</translation>
    </message>
    <message>
        <source>Re&amp;fund</source>
        <translation>&amp;Hoàn tiền</translation>
    </message>
    <message>
        <source>Use suggested</source>
        <translation>Dùng số gợi ý</translation>
    </message>
    <message>
        <source>Return and refund</source>
        <translation>Trả hàng và hoàn tiền</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Hủy</translation>
    </message>
    <message>
        <source>Defective</source>
        <translation>Hàng lỗi</translation>
    </message>
    <message>
        <source>Wrong item</source>
        <translation>Giao sai hàng</translation>
    </message>
    <message>
        <source>Customer changed their mind</source>
        <translation>Khách đổi ý</translation>
    </message>
    <message>
        <source>Choose or type why the items come back</source>
        <translation>Chọn hoặc nhập lý do trả hàng</translation>
    </message>
    <message>
        <source>%1 (%2 already returned)</source>
        <translation>%1 (đã trả %2)</translation>
    </message>
    <message>
        <source>Choose at least one item to return.</source>
        <translation>Chọn ít nhất một sản phẩm để trả.</translation>
    </message>
    <message>
        <source>Type the refund as an amount of money, e.g. 150.000.</source>
        <translation>Nhập số tiền hoàn, ví dụ 150.000.</translation>
    </message>
    <message>
        <source>The refund must be between 0 and %1.</source>
        <translation>Số tiền hoàn phải từ 0 đến %1.</translation>
    </message>
    <message>
        <source>Say why the items come back.</source>
        <translation>Nhập lý do trả hàng.</translation>
    </message>
    <message>
        <source>suggested %1, at most %2</source>
        <translation>gợi ý %1, tối đa %2</translation>
    </message>
    <message>
        <source>Returning items</source>
        <translation>Đang trả hàng</translation>
    </message>
</context>
<context>
    <name>SetupPage</name>
    <message>
        <source>Set up your shop</source>
        <translation>Thiết lập cửa hàng</translation>
    </message>
    <message>
        <source>Create the shop and the owner account. You can add staff later in Settings.</source>
        <translation>Tạo cửa hàng và tài khoản chủ cửa hàng. Bạn có thể thêm nhân viên sau trong Cài đặt.</translation>
    </message>
    <message>
        <source>Shop name</source>
        <translation>Tên cửa hàng</translation>
    </message>
    <message>
        <source>Your name</source>
        <translation>Họ tên của bạn</translation>
    </message>
    <message>
        <source>Email</source>
        <translation>Email</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>Mật khẩu</translation>
    </message>
    <message>
        <source>Repeat password</source>
        <translation>Nhập lại mật khẩu</translation>
    </message>
    <message>
        <source>At least 8 characters</source>
        <translation>Ít nhất 8 ký tự</translation>
    </message>
    <message>
        <source>Create shop</source>
        <translation>Tạo cửa hàng</translation>
    </message>
</context>
<context>
    <name>WelcomeWindow</name>
    <message>
        <source>Prime Distribution — welcome</source>
        <translation>Prime Distribution — chào mừng</translation>
    </message>
    <message>
        <source>The two passwords differ.</source>
        <translation>Hai mật khẩu không khớp nhau.</translation>
    </message>
    <message>
        <source>Wrong email or password.</source>
        <translation>Sai email hoặc mật khẩu.</translation>
    </message>
    <message>
        <source>This account is disabled: ask the shop owner.</source>
        <translation>Tài khoản này đã bị khóa: hãy liên hệ chủ cửa hàng.</translation>
    </message>
    <message>
        <source>The shop name is required.</source>
        <translation>Cần nhập tên cửa hàng.</translation>
    </message>
    <message>
        <source>Your name is required.</source>
        <translation>Cần nhập họ tên của bạn.</translation>
    </message>
    <message>
        <source>The password must have at least 8 characters.</source>
        <translation>Mật khẩu phải có ít nhất 8 ký tự.</translation>
    </message>
    <message>
        <source>That is not a valid email address.</source>
        <translation>Địa chỉ email không hợp lệ.</translation>
    </message>
</context>
<context>
    <name>app</name>
    <message>
        <source>Prime Distribution</source>
        <translation>Prime Distribution</translation>
    </message>
    <message>
        <source>Preparing the demo shop…</source>
        <translation>Đang chuẩn bị cửa hàng mẫu…</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Hủy</translation>
    </message>
</context>
<context>
    <name>columns</name>
    <message>
        <source>Order ID</source>
        <translation>Mã đơn hàng</translation>
    </message>
    <message>
        <source>Shop</source>
        <translation>Gian hàng</translation>
    </message>
    <message>
        <source>Channel</source>
        <translation>Kênh bán</translation>
    </message>
    <message>
        <source>Items</source>
        <translation>Số SP</translation>
    </message>
    <message>
        <source>Order value</source>
        <translation>Giá trị đơn</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Trạng thái</translation>
    </message>
    <message>
        <source>Payment</source>
        <translation>Thanh toán</translation>
    </message>
    <message>
        <source>Customer</source>
        <translation>Khách hàng</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>Số điện thoại</translation>
    </message>
    <message>
        <source>Order date</source>
        <translation>Ngày đặt</translation>
    </message>
    <message>
        <source>Flagged</source>
        <translation>Đánh dấu</translation>
    </message>
    <message>
        <source>Waiting to be sent</source>
        <translation>Chờ gửi lên sàn</translation>
    </message>
    <message>
        <source>Customer code</source>
        <translation>Mã khách hàng</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Họ tên</translation>
    </message>
    <message>
        <source>Rank</source>
        <translation>Hạng</translation>
    </message>
    <message>
        <source>Total expenses</source>
        <translation>Tổng chi tiêu</translation>
    </message>
    <message>
        <source>Total orders</source>
        <translation>Tổng đơn</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>Ngày tạo</translation>
    </message>
</context>
<context>
    <name>enum</name>
    <message>
        <source>Pending</source>
        <translation>Chờ xác nhận</translation>
    </message>
    <message>
        <source>Confirmed</source>
        <translation>Đã xác nhận</translation>
    </message>
    <message>
        <source>Shipping</source>
        <translation>Đang giao</translation>
    </message>
    <message>
        <source>Completed</source>
        <translation>Hoàn thành</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Đã hủy</translation>
    </message>
    <message>
        <source>Return/Refund</source>
        <translation>Trả hàng/Hoàn tiền</translation>
    </message>
    <message>
        <source>Returned</source>
        <translation>Đã trả hàng</translation>
    </message>
    <message>
        <source>COD</source>
        <translation>COD</translation>
    </message>
    <message>
        <source>Cash</source>
        <translation>Tiền mặt</translation>
    </message>
    <message>
        <source>Bank transfer</source>
        <translation>Chuyển khoản</translation>
    </message>
    <message>
        <source>E-wallet</source>
        <translation>Ví điện tử</translation>
    </message>
    <message>
        <source>Card</source>
        <translation>Thẻ</translation>
    </message>
    <message>
        <source>Other</source>
        <translation>Khác</translation>
    </message>
    <message>
        <source>Shopee</source>
        <translation>Shopee</translation>
    </message>
    <message>
        <source>Lazada</source>
        <translation>Lazada</translation>
    </message>
    <message>
        <source>Tiki</source>
        <translation>Tiki</translation>
    </message>
    <message>
        <source>TikTok Shop</source>
        <translation>TikTok Shop</translation>
    </message>
    <message>
        <source>Offline</source>
        <translation>Tại cửa hàng</translation>
    </message>
    <message>
        <source>Web store</source>
        <translation>Website</translation>
    </message>
    <message>
        <source>Diamond</source>
        <translation>Kim cương</translation>
    </message>
    <message>
        <source>Gold</source>
        <translation>Vàng</translation>
    </message>
    <message>
        <source>Silver</source>
        <translation>Bạc</translation>
    </message>
    <message>
        <source>Copper</source>
        <translation>Đồng</translation>
    </message>
    <message>
        <source>Owner</source>
        <translation>Chủ cửa hàng</translation>
    </message>
    <message>
        <source>Manager</source>
        <translation>Quản lý</translation>
    </message>
    <message>
        <source>Staff</source>
        <translation>Nhân viên</translation>
    </message>
    <message>
        <source>Products</source>
        <translation>Sản phẩm</translation>
    </message>
    <message>
        <source>Orders</source>
        <translation>Đơn hàng</translation>
    </message>
    <message>
        <source>Customers</source>
        <translation>Khách hàng</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Cài đặt</translation>
    </message>
    <message>
        <source>Analytics</source>
        <translation>Phân tích</translation>
    </message>
</context>
<context>
    <name>errors</name>
    <message>
        <source>Something needs your attention</source>
        <translation>Cần bạn kiểm tra</translation>
    </message>
    <message>
        <source>Unexpected error</source>
        <translation>Lỗi ngoài dự kiến</translation>
    </message>
    <message>
        <source>Something unexpected went wrong. Your data is safe: the unfinished change was not saved. The details below are also in the log file:</source>
        <translation>Đã xảy ra lỗi ngoài dự kiến. Dữ liệu của bạn vẫn an toàn: thay đổi đang dở chưa được lưu. Chi tiết bên dưới cũng có trong tệp nhật ký:</translation>
    </message>
    <message>
        <source>Copy details</source>
        <translation>Sao chép chi tiết</translation>
    </message>
    <message>
        <source>(no log file)</source>
        <extracomment>Shown crash dialogs. One without a parent is owned by Python alone: without this reference it would be garbage-collected (and vanish) as soon as show_crash returns.</extracomment>
        <translation>(không có tệp nhật ký)</translation>
    </message>
</context>
<context>
    <name>orders</name>
    <message>
        <source>Subtotal</source>
        <extracomment>The parts of the total, in the order the breakdown shows them: (field, label, sign).</extracomment>
        <translation>Thành tiền</translation>
    </message>
    <message>
        <source>Marketplace discount</source>
        <translation>Giảm giá của sàn</translation>
    </message>
    <message>
        <source>Discount code</source>
        <translation>Mã giảm giá</translation>
    </message>
    <message>
        <source>Points discount</source>
        <translation>Giảm giá bằng điểm</translation>
    </message>
    <message>
        <source>Shipping fee</source>
        <translation>Phí vận chuyển</translation>
    </message>
    <message>
        <source>Seller discount</source>
        <translation>Giảm giá của người bán</translation>
    </message>
    <message>
        <source>Shop promotion</source>
        <translation>Khuyến mãi của shop</translation>
    </message>
    <message>
        <source>Marketplace</source>
        <translation>Sàn TMĐT</translation>
    </message>
    <message>
        <source>Counter sale</source>
        <extracomment>History notes the services write in English, shown translated.</extracomment>
        <translation>Bán tại quầy</translation>
    </message>
    <message>
        <source>Phone order</source>
        <translation>Đơn qua điện thoại</translation>
    </message>
    <message>
        <source>Chat order</source>
        <translation>Đơn qua chat</translation>
    </message>
    <message>
        <source>Imported</source>
        <translation>Nhập từ tệp</translation>
    </message>
    <message>
        <source>System</source>
        <extracomment>Who made a status change when no user did (OrderStatusChange.source).</extracomment>
        <translation>Hệ thống</translation>
    </message>
    <message>
        <source>Marketplace sync</source>
        <translation>Đồng bộ từ sàn</translation>
    </message>
    <message>
        <source>Carrier</source>
        <translation>Đơn vị vận chuyển</translation>
    </message>
    <message>
        <source>Import</source>
        <translation>Nhập tệp</translation>
    </message>
    <message>
        <source>New order</source>
        <translation>Đơn hàng mới</translation>
    </message>
    <message>
        <source>Product search / barcode</source>
        <translation>Tìm sản phẩm / mã vạch</translation>
    </message>
    <message>
        <source>Customer search</source>
        <translation>Tìm khách hàng</translation>
    </message>
    <message>
        <source>Cash received</source>
        <translation>Tiền khách đưa</translation>
    </message>
    <message>
        <source>Order discount</source>
        <translation>Giảm giá đơn</translation>
    </message>
    <message>
        <source>Voucher</source>
        <translation>Mã giảm giá</translation>
    </message>
    <message>
        <source>Quantity of the selected line</source>
        <translation>Số lượng dòng đang chọn</translation>
    </message>
    <message>
        <source>Remove the selected line</source>
        <translation>Xóa dòng đang chọn</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Lưu</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Đóng</translation>
    </message>
    <message>
        <source>Product</source>
        <translation>Sản phẩm</translation>
    </message>
    <message>
        <source>Variant</source>
        <translation>Phân loại</translation>
    </message>
    <message>
        <source>SKU</source>
        <translation>SKU</translation>
    </message>
    <message>
        <source>Qty</source>
        <translation>SL</translation>
    </message>
    <message>
        <source>Unit price</source>
        <translation>Đơn giá</translation>
    </message>
    <message>
        <source>Discount</source>
        <translation>Giảm giá</translation>
    </message>
    <message>
        <source>In stock</source>
        <translation>Tồn kho</translation>
    </message>
    <message>
        <source>Only %1 available</source>
        <translation>Chỉ còn %1</translation>
    </message>
    <message>
        <source>Price typed by hand; clear it for the customer&apos;s price</source>
        <translation>Giá nhập tay; xóa đi để dùng giá theo khách hàng</translation>
    </message>
    <message>
        <source>New customer</source>
        <translation>Khách hàng mới</translation>
    </message>
    <message>
        <source>Optional</source>
        <translation>Không bắt buộc</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Họ tên</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>Số điện thoại</translation>
    </message>
    <message>
        <source>Create customer</source>
        <translation>Tạo khách hàng</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Hủy</translation>
    </message>
    <message>
        <source>Create order</source>
        <translation>Tạo đơn hàng</translation>
    </message>
    <message>
        <source>Chat order (Facebook, Zalo)</source>
        <translation>Đơn qua chat (Facebook, Zalo)</translation>
    </message>
    <message>
        <source>Scan a barcode or type a product name or SKU, then Enter  (F2)</source>
        <translation>Quét mã vạch hoặc nhập tên sản phẩm, SKU rồi nhấn Enter  (F2)</translation>
    </message>
    <message>
        <source>Enter adds the product; +/− change the quantity of the selected line.</source>
        <translation>Enter để thêm sản phẩm; +/− để đổi số lượng dòng đang chọn.</translation>
    </message>
    <message>
        <source>Delivery</source>
        <translation>Giao hàng</translation>
    </message>
    <message>
        <source>Recipient</source>
        <translation>Người nhận</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Địa chỉ</translation>
    </message>
    <message>
        <source>Province / city</source>
        <translation>Tỉnh / thành phố</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>Ghi chú</translation>
    </message>
    <message>
        <source>Customer</source>
        <translation>Khách hàng</translation>
    </message>
    <message>
        <source>Name, phone or code  (F3)</source>
        <translation>Tên, số điện thoại hoặc mã  (F3)</translation>
    </message>
    <message>
        <source>+ New customer</source>
        <translation>+ Khách mới</translation>
    </message>
    <message>
        <source>Walk-in</source>
        <translation>Khách lẻ</translation>
    </message>
    <message>
        <source>Sell to a walk-in customer</source>
        <translation>Bán cho khách lẻ</translation>
    </message>
    <message>
        <source>Discounts and payment</source>
        <translation>Giảm giá và thanh toán</translation>
    </message>
    <message>
        <source>Order discount (F6)</source>
        <translation>Giảm giá đơn (F6)</translation>
    </message>
    <message>
        <source>Voucher code (F7)</source>
        <translation>Mã giảm giá (F7)</translation>
    </message>
    <message>
        <source>Points to redeem</source>
        <translation>Dùng điểm</translation>
    </message>
    <message>
        <source>Payment method</source>
        <translation>Phương thức thanh toán</translation>
    </message>
    <message>
        <source>Cash received (F4)</source>
        <translation>Tiền khách đưa (F4)</translation>
    </message>
    <message>
        <source>Print receipt after saving</source>
        <translation>In hóa đơn sau khi lưu</translation>
    </message>
    <message>
        <source>Printing comes with the printer set-up (Settings)</source>
        <translation>Tính năng in sẽ có khi thiết lập máy in (Cài đặt)</translation>
    </message>
    <message>
        <source>Save  (F9)</source>
        <translation>Lưu  (F9)</translation>
    </message>
    <message>
        <source>Points</source>
        <translation>Dùng điểm</translation>
    </message>
    <message>
        <source>Total</source>
        <translation>Tổng cộng</translation>
    </message>
    <message>
        <source>Change due</source>
        <translation>Tiền thừa trả khách</translation>
    </message>
    <message>
        <source>No product matches “%1”</source>
        <translation>Không có sản phẩm nào khớp “%1”</translation>
    </message>
    <message>
        <source>%1 in stock</source>
        <translation>còn %1</translation>
    </message>
    <message>
        <source>No customer matches “%1” — “+ New customer” adds one</source>
        <translation>Không có khách hàng nào khớp “%1” — bấm “+ Khách mới” để thêm</translation>
    </message>
    <message>
        <source>Walk-in customer</source>
        <translation>Khách lẻ</translation>
    </message>
    <message>
        <source>List prices, no points</source>
        <translation>Giá niêm yết, không tích điểm</translation>
    </message>
    <message>
        <source>%1 points</source>
        <translation>%1 điểm</translation>
    </message>
    <message>
        <source>of %1</source>
        <translation>/ %1</translation>
    </message>
    <message>
        <source>%1: “%2” is not an amount of money.</source>
        <translation>%1: “%2” không phải là số tiền.</translation>
    </message>
    <message>
        <source>%1: %2 available, %3 wanted</source>
        <translation>%1: còn %2, cần %3</translation>
    </message>
    <message>
        <source>Not enough stock:
%1

Sell anyway?</source>
        <translation>Không đủ hàng:
%1

Vẫn bán?</translation>
    </message>
    <message>
        <source>Not enough stock</source>
        <translation>Không đủ hàng</translation>
    </message>
    <message>
        <source>Saved %1 — change due %2</source>
        <translation>Đã lưu %1 — tiền thừa trả khách %2</translation>
    </message>
    <message>
        <source>Saved %1 — total %2</source>
        <translation>Đã lưu %1 — tổng cộng %2</translation>
    </message>
    <message>
        <source>Close the sale</source>
        <translation>Đóng đơn bán hàng</translation>
    </message>
    <message>
        <source>This sale is not saved. Close it and lose its lines?</source>
        <translation>Đơn này chưa được lưu. Đóng lại và bỏ các sản phẩm đã nhập?</translation>
    </message>
    <message>
        <source>Flagged</source>
        <extracomment>Columns the list loads but does not show (drawn as icons instead). Column widths of this view where the spec&apos;s default is too narrow (shop names are long). Filter chip kinds, in chip order. Skipped orders named in a bulk result message before &quot;…&quot;.</extracomment>
        <translation>Đã đánh dấu</translation>
    </message>
    <message>
        <source>Waiting to be sent to the marketplace (sent when back online)</source>
        <translation>Đang chờ gửi lên sàn (sẽ gửi khi có mạng trở lại)</translation>
    </message>
    <message>
        <source>Apply</source>
        <translation>Áp dụng</translation>
    </message>
    <message>
        <source>Show orders of these shops</source>
        <translation>Hiện đơn hàng của các gian hàng</translation>
    </message>
    <message>
        <source>Show orders paid by</source>
        <translation>Hiện đơn hàng thanh toán bằng</translation>
    </message>
    <message>
        <source>Order value between</source>
        <translation>Giá trị đơn trong khoảng</translation>
    </message>
    <message>
        <source>At least</source>
        <translation>Tối thiểu</translation>
    </message>
    <message>
        <source>At most</source>
        <translation>Tối đa</translation>
    </message>
    <message>
        <source>Orders placed</source>
        <translation>Đơn hàng đặt trong khoảng</translation>
    </message>
    <message>
        <source>From</source>
        <translation>Từ ngày</translation>
    </message>
    <message>
        <source>To</source>
        <translation>Đến ngày</translation>
    </message>
    <message>
        <source>Enter an amount in đồng, such as %1.</source>
        <translation>Nhập số tiền bằng đồng, ví dụ %1.</translation>
    </message>
    <message>
        <source>The lower amount is above the upper one.</source>
        <translation>Số tiền tối thiểu lớn hơn số tiền tối đa.</translation>
    </message>
    <message>
        <source>The start is after the end.</source>
        <translation>Ngày bắt đầu sau ngày kết thúc.</translation>
    </message>
    <message>
        <source>Remove this filter</source>
        <translation>Bỏ bộ lọc này</translation>
    </message>
    <message>
        <source>Import finished</source>
        <translation>Đã nhập xong</translation>
    </message>
    <message>
        <source>Orders in %1: %2 new, %3 updated, %4 unchanged, %5 rejected.</source>
        <translation>Đơn hàng trong %1: %2 mới, %3 cập nhật, %4 không đổi, %5 bị từ chối.</translation>
    </message>
    <message>
        <source>Row</source>
        <translation>Dòng</translation>
    </message>
    <message>
        <source>Column</source>
        <translation>Cột</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Lý do</translation>
    </message>
    <message>
        <source>Search by order ID, customer name or phone</source>
        <extracomment>Emitted when new status counts are shown. The user asked to see a customer (from an order&apos;s detail): the customer&apos;s id. Selections up to this many rows have their statuses read to enable Confirm/Cancel; beyond, the actions stay enabled and the service skips what does not apply. Selections up to this many rows are restored after a refresh. The status counts shown (empty until the first answer).</extracomment>
        <translation>Tìm theo mã đơn, tên khách hàng hoặc số điện thoại</translation>
    </message>
    <message>
        <source>Filters</source>
        <translation>Bộ lọc</translation>
    </message>
    <message>
        <source>Shop…</source>
        <translation>Gian hàng…</translation>
    </message>
    <message>
        <source>Order value…</source>
        <translation>Giá trị đơn…</translation>
    </message>
    <message>
        <source>Payment method…</source>
        <translation>Phương thức thanh toán…</translation>
    </message>
    <message>
        <source>Order date…</source>
        <translation>Ngày đặt hàng…</translation>
    </message>
    <message>
        <source>Flagged only</source>
        <translation>Chỉ đơn đã đánh dấu</translation>
    </message>
    <message>
        <source>Clear all</source>
        <translation>Xóa tất cả</translation>
    </message>
    <message>
        <source>Confirm</source>
        <translation>Xác nhận</translation>
    </message>
    <message>
        <source>Cancel orders</source>
        <translation>Hủy đơn</translation>
    </message>
    <message>
        <source>Why is this order cancelled?</source>
        <translation>Vì sao hủy đơn hàng này?</translation>
    </message>
    <message>
        <source>Why are these %n orders cancelled?</source>
        <translation>Vì sao hủy %n đơn hàng này?</translation>
    </message>
    <message>
        <source>Customer changed their mind</source>
        <translation>Khách đổi ý</translation>
    </message>
    <message>
        <source>Out of stock</source>
        <translation>Hết hàng</translation>
    </message>
    <message>
        <source>Wrong price or product</source>
        <translation>Sai giá hoặc sai sản phẩm</translation>
    </message>
    <message>
        <source>Could not reach the customer</source>
        <translation>Không liên lạc được với khách</translation>
    </message>
    <message>
        <source>Duplicate order</source>
        <translation>Đơn hàng trùng</translation>
    </message>
    <message>
        <source>Choose or type a reason</source>
        <translation>Chọn hoặc nhập lý do</translation>
    </message>
    <message>
        <source>Cancel order</source>
        <translation>Hủy đơn</translation>
    </message>
    <message>
        <source>Keep</source>
        <translation>Giữ lại</translation>
    </message>
    <message>
        <source>Flag</source>
        <translation>Đánh dấu</translation>
    </message>
    <message>
        <source>Unflag</source>
        <translation>Bỏ đánh dấu</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>Xuất Excel</translation>
    </message>
    <message>
        <source>Print</source>
        <translation>In</translation>
    </message>
    <message>
        <source>Import orders from an Excel or CSV file</source>
        <translation>Nhập đơn hàng từ tệp Excel hoặc CSV</translation>
    </message>
    <message>
        <source>Counter, phone or chat sale (F2)</source>
        <translation>Bán tại quầy, qua điện thoại hoặc chat (F2)</translation>
    </message>
    <message>
        <source>All</source>
        <translation>Tất cả</translation>
    </message>
    <message>
        <source>%n order</source>
        <translation>%n đơn hàng</translation>
    </message>
    <message>
        <source>%n orders</source>
        <translation>%n đơn hàng</translation>
    </message>
    <message>
        <source>Counting orders</source>
        <translation>Đang đếm đơn hàng</translation>
    </message>
    <message>
        <source>Shop: %1</source>
        <translation>Gian hàng: %1</translation>
    </message>
    <message>
        <source>Value: %1 – %2</source>
        <translation>Giá trị: %1 – %2</translation>
    </message>
    <message>
        <source>Value: from %1</source>
        <translation>Giá trị: từ %1</translation>
    </message>
    <message>
        <source>Value: up to %1</source>
        <translation>Giá trị: đến %1</translation>
    </message>
    <message>
        <source>Payment: %1</source>
        <translation>Thanh toán: %1</translation>
    </message>
    <message>
        <source>Date: %1 – %2</source>
        <translation>Ngày: %1 – %2</translation>
    </message>
    <message>
        <source>Date: from %1</source>
        <translation>Ngày: từ %1</translation>
    </message>
    <message>
        <source>Date: until %1</source>
        <translation>Ngày: đến %1</translation>
    </message>
    <message>
        <source>%n selected</source>
        <translation>Đã chọn %n</translation>
    </message>
    <message>
        <source>Export the selected orders to Excel</source>
        <translation>Xuất các đơn đã chọn ra Excel</translation>
    </message>
    <message>
        <source>Export every order of this view to Excel</source>
        <translation>Xuất tất cả đơn đang hiển thị ra Excel</translation>
    </message>
    <message>
        <source>Confirming orders</source>
        <translation>Đang xác nhận đơn hàng</translation>
    </message>
    <message>
        <source>%n order confirmed</source>
        <translation>Đã xác nhận %n đơn hàng</translation>
    </message>
    <message>
        <source>%n orders confirmed</source>
        <translation>Đã xác nhận %n đơn hàng</translation>
    </message>
    <message>
        <source>Cancelling orders</source>
        <translation>Đang hủy đơn hàng</translation>
    </message>
    <message>
        <source>%n order cancelled</source>
        <translation>Đã hủy %n đơn hàng</translation>
    </message>
    <message>
        <source>%n orders cancelled</source>
        <translation>Đã hủy %n đơn hàng</translation>
    </message>
    <message>
        <source>%n order flagged</source>
        <translation>Đã đánh dấu %n đơn hàng</translation>
    </message>
    <message>
        <source>%n orders flagged</source>
        <translation>Đã đánh dấu %n đơn hàng</translation>
    </message>
    <message>
        <source>%n order unflagged</source>
        <translation>Đã bỏ đánh dấu %n đơn hàng</translation>
    </message>
    <message>
        <source>%n orders unflagged</source>
        <translation>Đã bỏ đánh dấu %n đơn hàng</translation>
    </message>
    <message>
        <source>Flagging orders</source>
        <translation>Đang cập nhật đánh dấu</translation>
    </message>
    <message>
        <source>%n skipped: %1</source>
        <translation>bỏ qua %n: %1</translation>
    </message>
    <message>
        <source>no longer exists</source>
        <translation>không còn tồn tại</translation>
    </message>
    <message>
        <source>Export orders</source>
        <translation>Xuất đơn hàng</translation>
    </message>
    <message>
        <source>Excel workbook (*.xlsx)</source>
        <translation>Tệp Excel (*.xlsx)</translation>
    </message>
    <message>
        <source>Exporting orders</source>
        <translation>Đang xuất đơn hàng</translation>
    </message>
    <message>
        <source>%n order exported to %1.</source>
        <translation>Đã xuất %n đơn hàng ra %1.</translation>
    </message>
    <message>
        <source>%n orders exported to %1.</source>
        <translation>Đã xuất %n đơn hàng ra %1.</translation>
    </message>
    <message>
        <source>Export finished</source>
        <translation>Đã xuất xong</translation>
    </message>
    <message>
        <source>Open folder</source>
        <translation>Mở thư mục</translation>
    </message>
    <message>
        <source>Import orders</source>
        <translation>Nhập đơn hàng</translation>
    </message>
    <message>
        <source>Orders file (*.xlsx *.csv)</source>
        <translation>Tệp đơn hàng (*.xlsx *.csv)</translation>
    </message>
    <message>
        <source>Importing orders</source>
        <translation>Đang nhập đơn hàng</translation>
    </message>
</context>
<context>
    <name>pages</name>
    <message>
        <source>Home</source>
        <translation>Trang chủ</translation>
    </message>
    <message>
        <source>To-do cards: orders to handle, products low on stock or without revenue</source>
        <translation>Việc cần làm: đơn hàng cần xử lý, sản phẩm sắp hết hàng hoặc không có doanh thu</translation>
    </message>
    <message>
        <source>Total revenue and new orders against the previous period</source>
        <translation>Tổng doanh thu và đơn hàng mới so với kỳ trước</translation>
    </message>
    <message>
        <source>Revenue per marketplace, a pie chart of new orders, and the latest events</source>
        <translation>Doanh thu theo sàn, biểu đồ tròn đơn hàng mới và các sự kiện mới nhất</translation>
    </message>
    <message>
        <source>Analytics</source>
        <translation>Phân tích</translation>
    </message>
    <message>
        <source>Revenue, orders, products sold and repeat rate against the previous period</source>
        <translation>Doanh thu, đơn hàng, sản phẩm đã bán và tỷ lệ mua lại so với kỳ trước</translation>
    </message>
    <message>
        <source>Top locations, shipping providers and product rank</source>
        <translation>Khu vực, đơn vị vận chuyển hàng đầu và xếp hạng sản phẩm</translation>
    </message>
    <message>
        <source>A chart and table per metric, with export to Excel</source>
        <translation>Biểu đồ và bảng cho từng chỉ số, xuất ra Excel</translation>
    </message>
    <message>
        <source>Products</source>
        <translation>Sản phẩm</translation>
    </message>
    <message>
        <source>The catalogue with variants, prices and stock, searchable and filterable</source>
        <translation>Danh mục sản phẩm với phân loại, giá và tồn kho, tìm kiếm và lọc được</translation>
    </message>
    <message>
        <source>SKU groups that share stock across shops, so nothing is oversold</source>
        <translation>Nhóm SKU dùng chung tồn kho giữa các gian hàng, không bao giờ bán quá số lượng</translation>
    </message>
    <message>
        <source>Stock in, stock out, stock-take and low-stock alerts</source>
        <translation>Nhập kho, xuất kho, kiểm kê và cảnh báo sắp hết hàng</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Cài đặt</translation>
    </message>
    <message>
        <source>My account, staff and permissions</source>
        <translation>Tài khoản của tôi, nhân viên và phân quyền</translation>
    </message>
    <message>
        <source>Sales channels, delivery providers, printers and templates</source>
        <translation>Kênh bán hàng, đơn vị vận chuyển, máy in và mẫu in</translation>
    </message>
    <message>
        <source>Customer ranking, levels, points, backup and restore, language</source>
        <translation>Xếp hạng khách hàng, cấp độ, điểm thưởng, sao lưu và khôi phục, ngôn ngữ</translation>
    </message>
    <message>
        <source>This tab is being built. It will hold:</source>
        <translation>Tab này đang được xây dựng. Tab sẽ gồm:</translation>
    </message>
    <message>
        <source>Search by name, phone or code (accents optional)</source>
        <translation>Tìm theo tên, số điện thoại hoặc mã (gõ có dấu hoặc không dấu)</translation>
    </message>
    <message>
        <source>All orders from every channel, newest first. Status tabs, filters, order detail and actions (confirm, cancel, print) are being built.</source>
        <translation>Tất cả đơn hàng từ mọi kênh, mới nhất trước. Các tab trạng thái, bộ lọc, chi tiết đơn và thao tác (xác nhận, hủy, in) đang được xây dựng.</translation>
    </message>
    <message>
        <source>Your customers, newest first. Filters, segments, tags, detail and loyalty are being built.</source>
        <translation>Khách hàng của bạn, mới nhất trước. Bộ lọc, phân khúc, thẻ, chi tiết và chương trình khách hàng thân thiết đang được xây dựng.</translation>
    </message>
    <message>
        <source>orders</source>
        <translation>đơn hàng</translation>
    </message>
    <message>
        <source>customers</source>
        <translation>khách hàng</translation>
    </message>
</context>
</TS>
