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
        <translation>(không có tệp nhật ký)</translation>
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
